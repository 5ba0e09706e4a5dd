using SimClr.MLNet.Tests.Support;
using System.Runtime.InteropServices;
using SimClr.MLNet.Runtime;
using TorchSharp;

namespace SimClr.MLNet.Tests.Runtime;

[Collection(LibtorchGlobalState.Name)]
public class TorchRuntimeTests
{
    [DllImport("libc.so.6", EntryPoint = "getenv")]
    static extern IntPtr NativeGetEnv(string name);

    [Fact]
    public void TensorOpRunsAfterInitialisation()
    {
        TorchRuntime.EnsureInitialized();
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        using var product = torch.matmul(a, a);
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product.data<float>().ToArray());
        Assert.True(TorchRuntime.IsInitialized);
        Assert.Contains("threads", TorchRuntime.Description);
    }

    [Fact]
    public void AllocatorSettingReachesNativeCode()
    {
        TorchRuntime.EnsureInitialized();
        if (!OperatingSystem.IsLinux() || !new TorchRuntimeOptions().TuneAllocator)
            return;
        Assert.Equal("1", Marshal.PtrToStringAnsi(NativeGetEnv("THP_MEM_ALLOC_ENABLE")));
        Assert.Contains("allocator tuning on", TorchRuntime.Description);
    }

    [Fact]
    public void ReconfiguringAfterInitialisationIsRefused()
    {
        TorchRuntime.EnsureInitialized();
        var different = new TorchRuntimeOptions { TuneAllocator = !new TorchRuntimeOptions().TuneAllocator };
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.Configure(different));
        Assert.Contains("Configure", error.Message);
    }

    [Fact]
    public void SeedMakesRandomDrawsRepeatable()
    {
        TorchRuntime.Seed(42);
        using var first = torch.rand(5);
        TorchRuntime.Seed(42);
        using var second = torch.rand(5);
        Assert.Equal(first.data<float>().ToArray(), second.data<float>().ToArray());
    }
}
