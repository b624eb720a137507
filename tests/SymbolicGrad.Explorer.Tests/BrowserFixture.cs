using Microsoft.Playwright;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>
/// Headless Chromium from Debian (/usr/bin/chromium), driven by Playwright. Playwright's own browser download does
/// not work on these machines, so it is given the executable. Set SYMBOLICGRAD_CHROMIUM to use another one.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots of failed or inspected pages go.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        string chromium = Environment.GetEnvironmentVariable("SYMBOLICGRAD_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"Chromium is not installed at {chromium}: the Explorer's browser tests need it (apt-get install -y chromium chromium-driver; the build of this project runs eng/install-prerequisites.sh browser, which does this as root or with passwordless sudo).");
        }

        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
