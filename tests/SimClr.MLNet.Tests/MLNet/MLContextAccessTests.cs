using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using SimClr.MLNet.MLNet;

namespace SimClr.MLNet.Tests.MLNet;

/// <summary>What the catalog methods read from the MLContext by reflection, and how they fail when it is not there.</summary>
public sealed class MLContextAccessTests
{
    static string MLNetVersion => typeof(MLContext).Assembly.GetName().Version!.ToString();

    [Fact]
    public void GpuDeviceIdAndFallbackToCpuComeFromTheContextBehindEachCatalog()
    {
        var ml = new MLContext(seed: 1) { GpuDeviceId = 3, FallbackToCpu = true };
        foreach (var catalog in new object[] { ml.Transforms, ml.MulticlassClassification.Trainers })
        {
            var access = MLContextAccess.From(catalog);
            Assert.Equal(3, access.GpuDeviceId);
            Assert.True(access.FallbackToCpu);
        }

        var plain = MLContextAccess.From(new MLContext(seed: 1).Transforms);
        Assert.Null(plain.GpuDeviceId);
        Assert.False(plain.FallbackToCpu);
    }

    [Fact]
    public void TheContextsSeedDecidesTheDrawnSeed()
    {
        static int Draw(int seed) => MLContextAccess.From(new MLContext(seed).MulticlassClassification.Trainers).NextSeed("test");

        Assert.Equal(Draw(7), Draw(7));
        Assert.NotEqual(Draw(7), Draw(8));
    }

    [Fact]
    public void TheLoggerWritesToTheContextsLog()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };

        MLContextAccess.From(ml.Transforms).Logger("SimClrTest")("epoch 1 done");

        Assert.Contains(messages, m => m.Contains("epoch 1 done"));
    }

    public static TheoryData<object> NotCatalogs => new() { new object(), new CatalogLookalike() };

    [Theory]
    [MemberData(nameof(NotCatalogs))]
    public void AnObjectWithoutMLNetsCatalogInterfaceIsRefusedByName(object notCatalog)
    {
        var error = Assert.Throws<InvalidOperationException>(() => MLContextAccess.From(notCatalog));

        Assert.Contains("IInternalCatalog", error.Message);
        Assert.Contains(notCatalog.GetType().FullName!, error.Message);
        AssertSaysUnsupportedMLNet(error.Message);
    }

    [Fact]
    public void AnEnvironmentWithoutGpuDeviceIdIsRefusedByName()
    {
        var environment = DispatchProxy.Create<IHostEnvironment, UnusedProxy>();

        var error = Assert.Throws<InvalidOperationException>(() => MLContextAccess.FromEnvironment(environment));

        Assert.Contains("GpuDeviceId", error.Message);
        Assert.Contains(environment.GetType().FullName!, error.Message);
        AssertSaysUnsupportedMLNet(error.Message);
    }

    static void AssertSaysUnsupportedMLNet(string message)
    {
        Assert.Contains(MLNetVersion, message);
        Assert.Contains("not one SimClr.MLNet supports", message);
        Assert.DoesNotContain('\n', message);
    }

    /// <summary>Has the environment ML.NET's catalogs hold, but not their internal interface.</summary>
    sealed class CatalogLookalike
    {
        public IHostEnvironment Environment { get; } = new MLContext(seed: 1);
    }

    /// <summary>An IHostEnvironment with none of MLContext's properties; no member is called.</summary>
    public class UnusedProxy : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => throw new NotSupportedException(targetMethod?.Name);
    }
}
