namespace SimClr.MLNet.Training;

/// <summary>A loss became NaN or infinite. The last checkpoint (from the last completed epoch) is left as it was.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
