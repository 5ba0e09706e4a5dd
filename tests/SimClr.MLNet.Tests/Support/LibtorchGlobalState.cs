namespace SimClr.MLNet.Tests.Support;

/// <summary>
/// Tests that seed or draw from libtorch's process-wide generator, set its thread count, or train (training seeds
/// it). They run one at a time, so a determinism test cannot get another test's random numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LibtorchGlobalState
{
    public const string Name = "libtorch global state";
}
