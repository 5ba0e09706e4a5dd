using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using SimClr.MLNet.Tests.Support;

namespace SimClr.MLNet.Tests.Serving;

/// <summary>simclr serve's page in a real browser: headless Chromium picks an image and reads the predicted class.</summary>
[Collection(LibtorchGlobalState.Name)]
public sealed class ServerPageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>Where the test leaves its screenshot, for a person to look at.</summary>
    public static readonly string Screenshot = Path.Combine(Path.GetTempPath(), "simclr-serve-page.png");

    [BrowserFact]
    public async Task ThePageShowsTheImageItsClassesAndItsNeighbours()
    {
        var image = server.ImageOf("red");
        var expected = System.Text.Json.JsonDocument.Parse(await (await server.Client.PostAsync("/predict",
                new MultipartFormDataContent { { new ByteArrayContent(File.ReadAllBytes(image)), "image", "red.png" } })).Content.ReadAsStringAsync())
            .RootElement.GetProperty("predictions")[0].GetProperty("class").GetString();

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(BrowserFactAttribute.ChromeDriver), Path.GetFileName(BrowserFactAttribute.ChromeDriver));
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserFactAttribute.Chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=900,800");
        using var browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        browser.Navigate().GoToUrl(server.Server.Address + "/");
        browser.FindElement(By.Id("file")).SendKeys(image);
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        wait.Until(b => b.FindElement(By.Id("top-class")).Text.Length > 0);

        Assert.Equal(expected, browser.FindElement(By.Id("top-class")).Text);
        Assert.Equal(3, browser.FindElements(By.CssSelector("#predictions li")).Count);
        Assert.True(browser.FindElement(By.Id("image")).GetDomProperty("naturalWidth") is "96", "the uploaded image is shown");
        wait.Until(b => b.FindElements(By.CssSelector("#neighbors img")).Count == 8);
        Assert.Contains("3 classes", browser.FindElement(By.Id("model")).Text);
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Screenshot);
    }
}
