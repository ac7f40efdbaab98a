"""Vocabularies for synthetic titles, authors and repositories (written for enrich).

Plain data, no logic.  Entries are title-cased as they would appear in a title;
a few carry accents or an en-dash on purpose so that accent, LaTeX and dash
variants of the same title can be produced (see ``_titles.py``).  Every accented
letter used here has a LaTeX accent spelling that ``normalize_title`` folds back
(no ø, ł or å in titles: their LaTeX forms are commands, not accents).
"""

from __future__ import annotations

__all__ = [
    "ADJECTIVES",
    "AFFILIATIONS",
    "CATEGORIES",
    "COMMENTS",
    "DOMAINS",
    "EXTENSIONS",
    "FIRST_NAMES",
    "LANGUAGES",
    "LAST_NAMES",
    "LICENSES",
    "METHOD_HEADS",
    "METHOD_SPECIAL",
    "METHOD_SUFFIXES",
    "METHOD_TAILS",
    "OBJECTS",
    "OLD_ARCHIVES",
    "ORGS",
    "PROPERTIES",
    "SOURCES",
    "SUBTITLES",
    "SWAPS",
    "TASKS",
    "TECHNIQUES",
    "TOPICS",
    "VERBS",
]

ADJECTIVES: tuple[str, ...] = (
    "Efficient", "Robust", "Scalable", "Self-Supervised", "Contrastive", "Hierarchical",
    "Sparse", "Dense", "Adaptive", "Lightweight", "Interpretable", "Explainable", "Federated",
    "Multimodal", "Zero-Shot", "Few-Shot", "Differentiable", "Unsupervised", "Semi-Supervised",
    "Weakly Supervised", "Causal", "Probabilistic", "Bayesian", "Equivariant", "Continual",
    "Decentralized", "Memory-Efficient", "Training-Free", "Parameter-Efficient", "Generalizable",
    "Compositional", "Controllable", "Faithful", "Calibrated", "Certified", "Private",
    "Fair", "Stable", "Implicit", "Explicit", "Discrete", "Continuous", "Temporal", "Spatial",
    "Dynamic", "Static", "Local", "Global", "Online", "Offline", "Linear", "Nonlinear",
    "Deep", "Shallow", "Neural", "Symbolic", "Geometric", "Topological", "Spectral",
    "Recurrent", "Convolutional", "Autoregressive", "Non-Autoregressive", "Masked",
    "Latent", "Hybrid", "Modular", "Unified", "Universal", "Open-Vocabulary", "Open-World",
    "Long-Context", "Low-Rank", "Quantized", "Distilled", "Retrieval-Augmented",
    "Physics-Informed", "Uncertainty-Aware", "Noise-Robust", "Label-Efficient",
    "Data-Efficient", "Compute-Optimal", "Cross-Lingual", "Multilingual", "Cross-Modal",
    "Visual", "Textual", "Large", "Small", "Fast", "Accurate", "Provable", "Optimal",
)  # fmt: skip

TECHNIQUES: tuple[str, ...] = (
    "Transformers", "Diffusion Models", "Graph Neural Networks", "Attention", "Representation Learning",
    "Knowledge Distillation", "Contrastive Learning", "Preference Optimization", "Mixture of Experts",
    "State Space Models", "Neural Radiance Fields", "Gaussian Splatting", "Low-Rank Adaptation",
    "Retrieval-Augmented Generation", "Reinforcement Learning", "Policy Gradients", "Reward Models",
    "Language Models", "Vision Transformers", "Vision-Language Models", "Normalizing Flows",
    "Variational Autoencoders", "Energy-Based Models", "Flow Matching", "Score Matching",
    "Optimal Transport", "Meta-Learning", "Prompt Tuning", "Instruction Tuning", "Chain-of-Thought Prompting",
    "In-Context Learning", "Test-Time Adaptation", "Domain Adaptation", "Active Learning",
    "Curriculum Learning", "Self-Training", "Pseudo-Labeling", "Data Augmentation",
    "Neural Architecture Search", "Pruning", "Quantization", "Speculative Decoding",
    "Beam Search", "Monte Carlo Tree Search", "Kernel Methods", "Gaussian Processes",
    "Bayesian Optimization", "Evolutionary Strategies", "Spiking Neural Networks",
    "Capsule Networks", "Hypernetworks", "Implicit Neural Representations", "Message Passing",
    "Graph Transformers", "Hypergraph Networks", "Recurrent Memory", "Token Merging",
    "Sparse Autoencoders", "Linear Probes", "Steering Vectors", "Model Merging",
    "Federated Averaging", "Differential Privacy", "Adversarial Training", "Randomized Smoothing",
    "Conformal Prediction", "Temperature Scaling", "Label Smoothing", "Weight Decay",
    "Layer Normalization", "Positional Encodings", "Rotary Embeddings", "Tokenizers",
    "World Models", "Agents", "Tool Use", "Code Interpreters", "Verifiers", "Process Rewards",
    "Direct Preference Optimization", "Rejection Sampling", "Self-Play", "Curiosity",
    "Successor Features", "Options", "Inverse Reinforcement Learning", "Imitation Learning",
    "Behavior Cloning", "Fréchet Distances", "Schrödinger Bridges", "Lévy Processes",
    "Gödel Machines", "Naïve Bayes Classifiers", "Poincaré Embeddings", "Hölder Networks",
    "Bézier Curves", "Erdős–Rényi Graphs", "Pólya Urns", "Cramér–Wold Projections",
)  # fmt: skip

TASKS: tuple[str, ...] = (
    "Image Segmentation", "Video Segmentation", "Semantic Segmentation", "Instance Segmentation",
    "Object Detection", "Object Tracking", "Image Classification", "Video Classification",
    "Image Generation", "Video Generation", "Text-to-Image Generation", "Text-to-Video Generation",
    "Image Editing", "Video Editing", "Image Captioning", "Video Captioning", "Visual Question Answering",
    "Question Answering", "Machine Translation", "Speech Recognition", "Speech Synthesis",
    "Speech Translation", "Speaker Verification", "Music Generation", "Audio Captioning",
    "Text Classification", "Sentiment Analysis", "Named Entity Recognition", "Relation Extraction",
    "Summarization", "Dialogue Generation", "Code Generation", "Program Synthesis",
    "Mathematical Reasoning", "Commonsense Reasoning", "Theorem Proving", "Fact Verification",
    "Hallucination Detection", "Document Retrieval", "Dense Retrieval", "Recommendation",
    "Click-Through Rate Prediction", "Link Prediction", "Node Classification", "Graph Classification",
    "Molecule Generation", "Protein Structure Prediction", "Drug Discovery", "Weather Forecasting",
    "Time Series Forecasting", "Anomaly Detection", "Traffic Prediction", "Autonomous Driving",
    "Motion Planning", "Robot Manipulation", "Visual Navigation", "Pose Estimation",
    "Depth Estimation", "Optical Flow Estimation", "3D Reconstruction", "Novel View Synthesis",
    "Point Cloud Registration", "Scene Understanding", "Action Recognition", "Gesture Recognition",
    "Face Recognition", "Person Re-Identification", "Crowd Counting", "Image Super-Resolution",
    "Image Denoising", "Image Inpainting", "Low-Light Enhancement", "Medical Image Segmentation",
    "Report Generation", "Table Understanding", "Chart Understanding", "Document Understanding",
    "Layout Analysis", "Handwriting Recognition", "Optical Character Recognition",
    "Keyword Spotting", "Emotion Recognition", "Sign Language Translation", "Lip Reading",
    "Text-to-SQL", "Semantic Parsing", "Grammatical Error Correction", "Paraphrase Generation",
    "Style Transfer", "Story Generation", "Poetry Generation", "Data-to-Text Generation",
    "Entity Linking", "Coreference Resolution", "Word Alignment", "Cross-Lingual Transfer",
    "Knowledge Graph Completion", "Causal Discovery", "Off-Policy Evaluation", "Multi-Agent Coordination",
    "Continuous Control", "Combinatorial Optimization", "Neural Rendering", "Image Retrieval",
    "Video Retrieval", "Visual Grounding", "Referring Expression Comprehension", "Open-Set Recognition",
    "Out-of-Distribution Detection", "Model Calibration", "Uncertainty Estimation", "Federated Learning",
    "Machine Unlearning", "Membership Inference", "Watermarking", "Jailbreak Detection",
    "Red Teaming", "Preference Alignment", "Reward Modeling", "Long-Form Generation",
)  # fmt: skip

DOMAINS: tuple[str, ...] = (
    "Medical Imaging", "Low-Resource Languages", "Edge Devices", "Remote Sensing", "Robotics",
    "Scientific Documents", "Legal Texts", "Financial Markets", "Electronic Health Records",
    "Autonomous Vehicles", "Social Media", "E-Commerce", "Education", "Climate Science",
    "Materials Science", "Genomics", "Chemistry", "Astronomy", "Particle Physics",
    "Agriculture", "Manufacturing", "Cybersecurity", "Software Engineering", "Mobile Phones",
    "Embedded Systems", "Video Games", "Virtual Reality", "Satellite Imagery", "Histopathology",
    "Radiology", "Mental Health", "Speech Therapy", "Conversational Agents", "Search Engines",
    "Wireless Networks", "Power Grids", "Transportation", "Smart Cities", "Sports Analytics",
    "Café Reviews", "Multilingual Speech", "Long Videos", "Open-Domain Dialogue",
)  # fmt: skip

PROPERTIES: tuple[str, ...] = (
    "Robustness", "Calibration", "Generalization", "Sample Efficiency", "Expressivity",
    "Faithfulness", "Scaling Behaviour", "Implicit Bias", "Stability", "Convergence",
    "Memorization", "Privacy Leakage", "Fairness", "Transferability", "Interpretability",
    "Sensitivity", "Compositionality", "Emergent Abilities", "Inductive Biases", "Loss Landscapes",
    "Training Dynamics", "Grokking", "Double Descent", "Sharpness", "Redundancy",
    "Data Contamination", "Reproducibility", "Energy Consumption", "Latency", "Sycophancy",
)  # fmt: skip

VERBS: tuple[str, ...] = (
    "Reason", "Plan", "Align", "Segment", "Retrieve", "Compress", "Forget", "Generalize",
    "Explore", "Summarize", "Translate", "Rank", "Ground", "Navigate", "Grasp", "Predict",
    "Generate", "Verify", "Search", "Imitate", "Communicate", "Adapt", "Detect", "Count",
    "Track", "Reconstruct", "Denoise", "Caption", "Prompt", "Abstain",
)  # fmt: skip

OBJECTS: tuple[str, ...] = (
    "Long Documents", "3D Scenes", "Molecular Graphs", "Human Motion", "Code Repositories",
    "Unseen Objects", "Novel Environments", "Multi-Step Tasks", "Sparse Rewards", "Noisy Labels",
    "Rare Events", "Tabular Data", "User Intents", "Scientific Claims", "Mathematical Proofs",
    "Deformable Objects", "Dynamic Scenes", "Medical Reports", "Spoken Queries", "Web Pages",
)  # fmt: skip

SOURCES: tuple[str, ...] = (
    "Weak Supervision", "Synthetic Data", "Human Feedback", "Unlabeled Videos", "Web Data",
    "AI Feedback", "Demonstrations", "Simulation", "Textbooks", "Play Data", "Self-Generated Data",
)  # fmt: skip

METHOD_HEADS: tuple[str, ...] = (
    "Vi", "Deep", "Meta", "Hyper", "Graph", "Fast", "Neuro", "Omni", "Flash", "Sparse", "Mega",
    "Tiny", "Uni", "Mono", "Poly", "Pro", "Auto", "Quant", "Lumi", "Astra", "Cog", "Chrono",
    "Geo", "Bio", "Chem", "Robo", "Med", "Lex", "Aero", "Echo", "Nova", "Orbit", "Pixel", "Voxel",
    "Token", "Prompt", "Latent", "Cross", "Dual", "Tri", "Multi", "Self", "Open", "Free",
    "Long", "Short", "Deca", "Kilo", "Terra", "Aqua", "Pyro", "Sono", "Photo", "Video", "Audio",
    "Text", "Code", "Math", "Logic", "Plan", "Seg", "Det", "Mol", "Prot", "Gen", "Edit", "Mind",
    "Vision", "Speech", "Scene",
)  # fmt: skip

METHOD_TAILS: tuple[str, ...] = (
    "Former", "Net", "GAN", "BERT", "Mamba", "Diff", "Fusion", "Align", "Flow", "Mixer", "Gen",
    "Seg", "Rank", "Prompt", "Agent", "Bench", "LM", "Coder", "Vision", "Splat", "NeRF", "Sim",
    "Tune", "Distill", "Merge", "Route", "Cast", "Scope", "Lens", "Graph", "Tok", "Voice",
    "Track", "Pose", "Depth", "Mesh", "Edit", "Guard", "Judge", "Critic", "Planner", "Reasoner",
    "Search", "Retriever", "Adapter", "Encoder", "Decoder", "Transformer", "Cache", "Quant",
    "Drop", "Norm", "Pool", "Attn", "Conv", "Field", "Map", "Scale", "Shift", "Match", "Loop",
    "Chain", "Tree", "Forest", "Bridge", "Path", "Lab", "Zoo", "Hub", "Kit",
)  # fmt: skip

METHOD_SUFFIXES: tuple[str, ...] = (
    "-2", "-3", "++", "-XL", "-Lite", "3D", "-R1", "-Zero", "-V", "-Pro", "-Mini", "-S", "-L",
    "-Plus", "-Max",
)  # fmt: skip

#: Method names in LaTeX math, kept identical across services (only case may vary).
METHOD_SPECIAL: tuple[str, ...] = (
    "$\\alpha$-Net", "$\\beta$-Mixer", "$\\epsilon$-Search", "$k$-NN-LM", "$\\mu$-Former",
    "$\\lambda$-Align", "$\\gamma$-Flow", "$\\sigma$-Prompt", "$\\pi$-Agent", "$\\delta$-Tune",
)  # fmt: skip

#: Subtitles after a colon; ``{a}`` adjective, ``{t}`` technique, ``{k}`` task,
#: ``{d}`` domain, ``{p}`` property.
SUBTITLES: tuple[str, ...] = (
    "A Study of {p} in {t}", "Towards {a} {k}", "A Benchmark for {k}", "Scaling {t} to {d}",
    "Lessons from {d}", "Theory and Practice", "A Unified Framework for {k}", "An Empirical Study",
    "Beyond {t}", "Rethinking {t} for {k}", "{a} {k} at Scale", "When {t} Meets {k}",
    "An Analysis of {p}", "Bridging {t} and {k}", "A Case Study in {d}", "Revisiting {p}",
    "{a} {t} for {k}", "Improving {p} of {t}", "From {t} to {k}", "A Closer Look at {p}",
    "Learning {k} from {s}", "Fewer Labels, Better {k}", "Towards {p} in {d}", "A Survey",
    "Methods and Benchmarks", "The Role of {p}", "Do {t} Really Help?", "A Simple Baseline",
)  # fmt: skip

#: Appended to a whole title to make a longer, different paper ("X" vs "X for Graphs").
EXTENSIONS: tuple[str, ...] = (
    "for Graphs", "in the Wild", "at Scale", "Revisited", "for Long Videos", "with Noisy Labels",
    "on Edge Devices", "in Low-Resource Settings", "for Multilingual Speech", "Beyond English",
    "for Robotics", "with Human Feedback", "under Distribution Shift", "for Point Clouds",
    "in Federated Settings", "without Labels", "for Medical Imaging", "in Real Time",
    "for Tabular Data", "with Guarantees", "for Vision", "for Code", "for Time Series",
    "in Practice", "for Everyone", "and Beyond", "via Distillation", "with Limited Data",
)  # fmt: skip

#: One-word swaps that turn a title into a different, near-identical paper.
SWAPS: dict[str, str] = {
    "Image": "Video", "Video": "Image", "Language": "Vision", "Vision": "Language",
    "Efficient": "Effective", "Effective": "Efficient", "Robust": "Reliable", "Reliable": "Robust",
    "Large": "Small", "Small": "Large", "Dense": "Sparse", "Sparse": "Dense",
    "Learning": "Training", "Training": "Learning", "Generation": "Editing", "Editing": "Generation",
    "Detection": "Segmentation", "Segmentation": "Detection", "Online": "Offline", "Offline": "Online",
    "Local": "Global", "Global": "Local", "Linear": "Nonlinear", "Nonlinear": "Linear",
    "Continual": "Incremental", "Incremental": "Continual", "Zero-Shot": "Few-Shot",
    "Few-Shot": "Zero-Shot", "Implicit": "Explicit", "Explicit": "Implicit",
    "Discrete": "Continuous", "Continuous": "Discrete", "Temporal": "Spatial", "Spatial": "Temporal",
    "Static": "Dynamic", "Dynamic": "Static", "Visual": "Textual", "Textual": "Visual",
    "Reasoning": "Planning", "Planning": "Reasoning", "Deep": "Shallow", "Shallow": "Deep",
    "Neural": "Symbolic", "Symbolic": "Neural", "Interpretable": "Explainable",
    "Explainable": "Interpretable", "Federated": "Distributed", "Distributed": "Federated",
    "Semantic": "Instance", "Instance": "Semantic", "Models": "Networks", "Networks": "Models",
    "Speech": "Audio", "Audio": "Speech", "Retrieval": "Ranking", "Ranking": "Retrieval",
    "Supervised": "Unsupervised", "Unsupervised": "Supervised", "Multilingual": "Cross-Lingual",
    "Cross-Lingual": "Multilingual", "Fast": "Slow", "Accurate": "Approximate",
    "Classification": "Regression", "Forecasting": "Nowcasting", "Graph": "Hypergraph",
    "Recognition": "Verification", "Medical": "Clinical", "Long": "Short", "Short": "Long",
}  # fmt: skip

FIRST_NAMES: tuple[str, ...] = (
    "Wei", "Jing", "Yu", "Xin", "Hao", "Lei", "Min", "Jun", "Yang", "Ying", "Chen", "Zhi",
    "Ji-hoon", "Seung-won", "Minji", "Hyunwoo", "Yuki", "Haruto", "Sakura", "Takumi",
    "Priya", "Arjun", "Ananya", "Rahul", "Sneha", "Vikram", "Aditi", "Rohan",
    "Anna", "Maria", "Laura", "Sofia", "Elena", "Julia", "Clara", "Emma", "Lena", "Sara",
    "John", "David", "Michael", "Daniel", "James", "Thomas", "Robert", "Peter", "Mark", "Paul",
    "José", "Zoë", "Łukasz", "Søren", "Chloé", "Jiří", "Ørjan", "François", "Björn", "Çağlar",
    "Müge", "Renée", "Andrés", "Siân", "Dávid", "Ádám", "Noémie", "Štěpán", "Iñigo", "Joël",
    "Hélène", "Gökhan", "Ahmed", "Fatima", "Omar", "Layla", "Youssef", "Amina", "Kwame",
    "Chidi", "Ngozi", "Tunde", "Olga", "Dmitri", "Ivan", "Natalia", "Sergei", "Katarzyna",
    "Tomasz", "Agnieszka", "Lars", "Ingrid", "Mikko", "Aino", "Giulia", "Marco", "Luca",
    "Chiara", "Pierre", "Camille", "Hugo", "Inès", "Mateus", "Beatriz", "Diego", "Valentina",
    "Kai", "Noah", "Liam", "Mia", "Leon", "Felix", "Nils", "Hannah", "Oscar", "Ruth",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Kim", "Park", "Lee", "Choi", "Jung",
    "Kang", "Cho", "Tanaka", "Sato", "Suzuki", "Nakamura", "Kobayashi", "Watanabe", "Gupta",
    "Sharma", "Patel", "Singh", "Iyer", "Reddy", "Agarwal", "Banerjee", "Smith", "Johnson",
    "Brown", "Miller", "Davis", "Wilson", "Taylor", "Clark", "Lewis", "Walker", "Hall", "Young",
    "Müller", "García", "Nguyễn", "Sørensen", "Dvořák", "Çelik", "Jürgens", "Ó Súilleabháin",
    "Pérez", "Gómez", "Kovačević", "Šimić", "Østergaard", "Ibáñez", "Rodríguez", "Yılmaz",
    "Kühn", "Bäck", "Öztürk", "Schröder", "Łukasiewicz", "Håkansson", "Fernández", "Martín",
    "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann",
    "Rossi", "Russo", "Ferrari", "Bianchi", "Romano", "Dubois", "Martin", "Bernard", "Moreau",
    "Laurent", "Lefèvre", "Silva", "Santos", "Oliveira", "Souza", "Costa", "Ivanov", "Petrov",
    "Smirnov", "Kowalski", "Nowak", "Wiśniewski", "Jansen", "de Vries", "van Dijk", "Bakker",
    "Visser", "Okafor", "Adeyemi", "Mensah", "Haddad", "Khalil", "Rahman", "Hossain", "Tran",
    "Pham", "Le", "Hoang", "Virtanen", "Korhonen", "Nielsen", "Hansen", "Johansson", "Larsson",
    "Cohen", "Levi", "Friedman", "O'Brien", "MacDonald", "Van der Berg", "da Silva",
)  # fmt: skip

AFFILIATIONS: tuple[str, ...] = (
    "Tsinghua University", "Peking University", "Stanford University", "MIT", "Carnegie Mellon University",
    "University of Oxford", "University of Cambridge", "ETH Zürich", "EPFL", "Mila", "University of Toronto",
    "KAIST", "Seoul National University", "University of Tokyo", "IIT Bombay", "Technische Universität München",
    "Université Paris-Saclay", "Universidad de Buenos Aires", "University of Amsterdam", "KTH",
    "Google DeepMind", "Microsoft Research", "Meta AI", "NVIDIA", "Allen Institute for AI",
    "Shanghai AI Laboratory", "Alibaba Group", "ByteDance", "Tencent AI Lab", "Samsung AI Center",
)  # fmt: skip

#: Repository owners that are organisations (synthetic repositories under them).
ORGS: tuple[str, ...] = (
    "facebookresearch", "google-research", "microsoft", "NVlabs", "openai", "huggingface",
    "allenai", "salesforce", "thunlp", "OpenGVLab", "THUDM", "QwenLM", "deepmind", "apple",
    "amazon-science", "IBM", "baidu", "alibaba", "tencent-ailab", "bytedance", "mit-han-lab",
    "princeton-nlp", "stanford-crfm", "cmu-l3", "kaist-ai", "naver-ai", "sony", "OpenBMB",
    "ServiceNow", "mlfoundations", "EleutherAI", "lucidrains-lab", "ml-jku", "uw-nlp",
    "HKUNLP", "PKU-Alignment", "SJTU-DMTai", "zjunlp", "fudan-nlp", "NUS-HPC-AI-Lab",
)  # fmt: skip

TOPICS: tuple[str, ...] = (
    "deep-learning", "pytorch", "machine-learning", "computer-vision", "nlp", "llm",
    "transformers", "diffusion-models", "reinforcement-learning", "graph-neural-networks",
    "speech", "robotics", "benchmark", "dataset", "jax", "tensorflow", "multimodal",
    "large-language-models", "segmentation", "object-detection", "3d", "nerf", "gaussian-splatting",
    "alignment", "rlhf", "retrieval", "recommendation", "time-series", "medical-imaging", "agents",
)  # fmt: skip

#: (language, weight) for repositories; None is an empty repository.
LANGUAGES: tuple[tuple[str | None, float], ...] = (
    ("Python", 0.78), ("Jupyter Notebook", 0.08), ("C++", 0.04), ("Cuda", 0.02),
    ("TypeScript", 0.01), ("Rust", 0.01), ("MATLAB", 0.01), ("Julia", 0.01), ("Shell", 0.01),
    (None, 0.03),
)  # fmt: skip

#: (spdx id, name, weight); (None, None) is a repository without a license.
LICENSES: tuple[tuple[str | None, str | None, float], ...] = (
    ("MIT", "MIT License", 0.35), ("Apache-2.0", "Apache License 2.0", 0.25),
    ("BSD-3-Clause", 'BSD 3-Clause "New" or "Revised" License', 0.05),
    ("GPL-3.0", "GNU General Public License v3.0", 0.04),
    ("CC-BY-4.0", "Creative Commons Attribution 4.0 International", 0.02),
    ("NOASSERTION", "Other", 0.03), (None, None, 0.26),
)  # fmt: skip

#: (primary category, weight) for new-style arXiv ids.
CATEGORIES: tuple[tuple[str, float], ...] = (
    ("cs.LG", 0.24), ("cs.CV", 0.22), ("cs.CL", 0.2), ("cs.AI", 0.08), ("stat.ML", 0.05),
    ("cs.RO", 0.04), ("cs.IR", 0.03), ("eess.AS", 0.02), ("eess.IV", 0.02), ("cs.SD", 0.02),
    ("cs.NE", 0.02), ("cs.CR", 0.02), ("math.OC", 0.02), ("q-bio.QM", 0.01), ("physics.comp-ph", 0.01),
)  # fmt: skip

#: (archive, primary category) pairs for old-style ids (before April 2007).
OLD_ARCHIVES: tuple[tuple[str, str], ...] = (
    ("cs", "cs.LG"), ("cs", "cs.AI"), ("cs", "cs.CL"), ("hep-th", "hep-th"),
    ("cond-mat", "cond-mat.dis-nn"), ("quant-ph", "quant-ph"), ("physics", "physics.data-an"),
    ("math", "math.ST"), ("astro-ph", "astro-ph"),
)  # fmt: skip

#: arXiv comments without links; ``{v}`` is a venue acronym, ``{n}`` a number.
COMMENTS: tuple[str, ...] = (
    "{n} pages, {m} figures", "Accepted at {v} {y}", "Accepted to {v} {y} (oral)",
    "Technical report", "Work in progress", "Camera-ready version for {v} {y}",
    "{n} pages; v2 adds experiments on {k}", "Preprint. Under review", "Extended version of our {v} paper",
    "{n} pages, {m} figures, {t} tables", "Published in Transactions on Machine Learning Research",
)  # fmt: skip
