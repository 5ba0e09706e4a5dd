namespace SimClr.MLNet.Training.Methods;

/// <summary>How the methods are written in logs and reports.</summary>
public static class MethodNames
{
    /// <summary>The method's usual spelling: SimCLR, MoCo v2, BYOL, SimSiam, Barlow Twins, SwAV.</summary>
    public static string Display(PretrainingMethod method) => method switch
    {
        PretrainingMethod.SimClr => "SimCLR",
        PretrainingMethod.MoCo => "MoCo v2",
        PretrainingMethod.Byol => "BYOL",
        PretrainingMethod.SimSiam => "SimSiam",
        PretrainingMethod.BarlowTwins => "Barlow Twins",
        PretrainingMethod.Swav => "SwAV",
        _ => method.ToString(),
    };
}
