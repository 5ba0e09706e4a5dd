namespace SimClr.MLNet.Data;

/// <summary>The splits of the STL-10 binary distribution.</summary>
public enum Stl10Split
{
    /// <summary>5,000 labelled training images (train_X.bin, train_y.bin).</summary>
    Train,

    /// <summary>8,000 labelled test images (test_X.bin, test_y.bin).</summary>
    Test,

    /// <summary>100,000 unlabelled images (unlabeled_X.bin); every label is missing.</summary>
    Unlabeled,

    /// <summary>Train followed by Unlabeled, as one view: the rows SimCLR pretrains on.</summary>
    TrainAndUnlabeled,
}
