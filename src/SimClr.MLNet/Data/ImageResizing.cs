using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace SimClr.MLNet.Data;

/// <summary>
/// The one definition of how an image is brought to an encoder's size: ML.NET's ResizeImages, stretched to fill
/// the square. Scoring must use a stock ML.NET transform (a saved .zip cannot carry our code, and ML.NET's
/// ExtractPixels needs images of a known size, so the ONNX graph cannot resize them itself); training reads its
/// images through the same transform, so that a model sees an image of any size the same way in training and in
/// serving.
/// </summary>
public static class ImageResizing
{
    /// <summary>The resize step: <paramref name="inputColumn"/> (MLImage) to <paramref name="outputColumn"/>, <paramref name="size"/> x <paramref name="size"/>.</summary>
    public static ImageResizingEstimator Estimator(MLContext ml, int size, string outputColumn, string inputColumn)
        => ml.Transforms.ResizeImages(outputColumn, size, size, inputColumn, ImageResizingEstimator.ResizingKind.Fill);
}
