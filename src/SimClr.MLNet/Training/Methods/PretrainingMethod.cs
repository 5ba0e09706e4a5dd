namespace SimClr.MLNet.Training.Methods;

/// <summary>The self-supervised objective that pretraining optimises. Every method shares the training loop, augmentations, probe, kNN monitor, collapse monitor and checkpoints.</summary>
public enum PretrainingMethod
{
    /// <summary>SimCLR (Chen et al., 2020, "A Simple Framework for Contrastive Learning of Visual Representations"): NT-Xent between two views, in-batch negatives. The default.</summary>
    SimClr,

    /// <summary>MoCo v2 (He et al., 2020; Chen et al., 2020, "Improved Baselines with Momentum Contrastive Learning"): InfoNCE against a queue of keys from a momentum encoder. Options: <see cref="MoCoOptions"/>.</summary>
    MoCo,

    /// <summary>BYOL (Grill et al., 2020, "Bootstrap Your Own Latent"): a predictor regresses a momentum target's projection; no negatives. Options: <see cref="ByolOptions"/>.</summary>
    Byol,

    /// <summary>SimSiam (Chen and He, 2021, "Exploring Simple Siamese Representation Learning"): a predictor and a stop-gradient, no negatives, no momentum encoder. Options: <see cref="SimSiamOptions"/>.</summary>
    SimSiam,

    /// <summary>Barlow Twins (Zbontar et al., 2021, "Barlow Twins: Self-Supervised Learning via Redundancy Reduction"): the two views' cross-correlation pushed to the identity. Options: <see cref="BarlowTwinsOptions"/>.</summary>
    BarlowTwins,

    /// <summary>SwAV (Caron et al., 2020, "Unsupervised Learning of Visual Features by Contrasting Cluster Assignments"): each view's Sinkhorn-Knopp assignment to trainable prototypes predicted from the other view. Options: <see cref="SwavOptions"/>.</summary>
    Swav,
}
