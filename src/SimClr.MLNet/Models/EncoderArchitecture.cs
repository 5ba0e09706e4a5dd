namespace SimClr.MLNet.Models;

/// <summary>The encoders this library can train and export.</summary>
public enum EncoderArchitecture
{
    /// <summary>
    /// The Keras SimCLR example's encoder: 4 x (3x3 conv, stride 2, no padding, ReLU), flatten, dense + ReLU.
    /// Built for 96x96; at 32x32 the last feature map is 1x1.
    /// </summary>
    Reference,

    /// <summary>ResNet-18 for small images: a 3x3 stride-1 stem and no max-pool (SimCLR's CIFAR variant).</summary>
    SmallResNet18,
}
