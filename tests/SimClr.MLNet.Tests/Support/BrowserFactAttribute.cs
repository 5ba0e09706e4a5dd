namespace SimClr.MLNet.Tests.Support;

/// <summary>
/// A test that drives headless Chromium. On CI (CI set) it always runs, so a missing browser fails it (.ci/run
/// installs Debian's chromium and chromium-driver); elsewhere it is reported as skipped when they are not installed.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";
    public const string ChromeDriver = "/usr/bin/chromedriver";

    public BrowserFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") == null && !(File.Exists(Chromium) && File.Exists(ChromeDriver)))
            Skip = $"Needs {Chromium} and {ChromeDriver} (apt-get install chromium chromium-driver).";
    }
}
