using System.Runtime.InteropServices;
using TorchSharp;

namespace SimClr.MLNet.Runtime;

/// <summary>Versions of the native libraries TorchSharp runs on, for <c>simclr doctor</c> and bug reports.</summary>
public static class LibtorchBuild
{
    /// <summary>libtorch's version, e.g. "2.10.0.0". Loads libtorch if needed.</summary>
    public static string LibtorchVersion
    {
        get
        {
            TorchRuntime.EnsureInitialized();
            return torch.__version__;
        }
    }

    /// <summary>
    /// The oneDNN (MKL-DNN) build inside libtorch, e.g. "Intel(R) MKL-DNN v3.7.1 (Git Hash 8d263e69...)", or
    /// "unknown" where it cannot be read.
    /// </summary>
    public static unsafe string OneDnnVersion
    {
        get
        {
            TorchRuntime.EnsureInitialized();
            if (!OperatingSystem.IsLinux())
                return "unknown";
            try
            {
                // at::get_mkldnn_version() returns a std::string, which the x86-64 C++ ABI returns through a hidden
                // pointer to caller memory; libstdc++'s string is {char* data, size_t length, 16-byte buffer}. The
                // string's heap block, if any, is not freed: this runs once per process.
                var result = stackalloc byte[32];
                GetMkldnnVersion(result);
                return Marshal.PtrToStringUTF8(*(IntPtr*)result, (int)*(long*)(result + 8)) ?? "unknown";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return "unknown";
            }
        }
    }

    [DllImport("libtorch_cpu.so", EntryPoint = "_ZN2at18get_mkldnn_versionB5cxx11Ev")]
    static extern unsafe void GetMkldnnVersion(byte* result);
}
