using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace SimClr.MLNet.Tests.Cli;

/// <summary>
/// simclr as a child process, the way a shell, docker or CI runs it: for what only a process shows, such as its
/// handling of signals, its exit code after one, and the files it leaves in its temp folder.
/// </summary>
public sealed class CliProcess : IDisposable
{
    const int SigTerm = 15;

    readonly Process _process;
    readonly StringBuilder _output = new();
    readonly BlockingCollection<string> _lines = new();
    int _openStreams = 2;

    /// <summary>Starts <c>simclr ARGS</c>; <paramref name="environment"/> adds to or overrides the variables this process has.</summary>
    public CliProcess(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "simclr.dll"));
        foreach (var argument in args)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Received(e.Data);
        _process.ErrorDataReceived += (_, e) => Received(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Runs <c>simclr ARGS</c> to the end.</summary>
    public static (int ExitCode, string Output) Run(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = new CliProcess(environment, args);
        return process.WaitForExit();
    }

    /// <summary>Waits for a line of stdout or stderr that contains <paramref name="fragment"/>; false if the process ended first.</summary>
    public bool WaitForLine(string fragment)
    {
        // The timeout only keeps a broken build from hanging the test run; no test depends on it.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        foreach (var line in _lines.GetConsumingEnumerable(timeout.Token))
            if (line.Contains(fragment, StringComparison.Ordinal))
                return true;
        return false;
    }

    /// <summary>Sends SIGTERM, what <c>docker stop</c>, systemd and CI runners send.</summary>
    public void Terminate() => Assert.Equal(0, Kill(_process.Id, SigTerm));

    /// <summary>Waits for the process to end; its exit code and everything it printed.</summary>
    public (int ExitCode, string Output) WaitForExit()
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(5)), $"simclr did not end within 5 minutes: {Output}");
        _process.WaitForExit(); // drains the output events
        return (_process.ExitCode, Output);
    }

    string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    void Received(string? line)
    {
        if (line == null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
                _lines.CompleteAdding();
            return;
        }
        lock (_output)
            _output.AppendLine(line);
        _lines.Add(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        // _lines stays undisposed: output events of a killed process may still arrive.
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
