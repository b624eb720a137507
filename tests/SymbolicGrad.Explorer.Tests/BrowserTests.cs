using System.Text.Json;
using Microsoft.Playwright;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>The page in a real browser: the walker, the race, the playground.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class BrowserTests(ExplorerServer server, BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    // Playwright's waitForFunction evaluates strings, which the page's CSP (no unsafe-eval) forbids: the interactive tests
    // bypass it; The_page_runs_under_its_content_security_policy checks the page itself under the real policy.
    private async Task<IPage> OpenAsync(string tab = "", bool bypassCsp = true)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1000 }, BypassCSP = bypassCsp });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync($"{server.BaseAddress}?token={server.Token}" + (tab.Length > 0 ? "#" + tab : ""));
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.Empty(errors);
        return page;
    }

    private static async Task ShotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, name + ".png") });

    [Fact]
    public async Task The_page_opens_with_the_token_and_drops_it_from_the_address()
    {
        var page = await OpenAsync();
        Assert.Equal("SymbolicGrad Explorer", await page.TitleAsync());
        Assert.DoesNotContain("token", page.Url, StringComparison.Ordinal);
        Assert.Equal(8, await page.Locator("#tabs button").CountAsync());

        // Without the token (a fresh context has no cookie) the server answers 401.
        var context = await browser.Browser.NewContextAsync();
        var bare = await context.NewPageAsync();
        var response = await bare.GotoAsync(server.BaseAddress.ToString());
        Assert.Equal(401, response!.Status);
        await context.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Click_the_landscape_and_step_the_walker_moves_downhill()
    {
        var page = await OpenAsync("landscape");
        var plot = page.Locator("#landscape-plot .nsewdrag");
        await plot.WaitForAsync();
        var box = (await plot.BoundingBoxAsync())!;

        // Place the walker on the upper-left slope of Rosenbrock's valley.
        string before = await page.Locator("#walker-point").InnerTextAsync();
        await page.Mouse.ClickAsync(box.X + (box.Width * 0.2f), box.Y + (box.Height * 0.15f));
        await page.WaitForFunctionAsync($"document.getElementById('walker-point').innerText !== {JsonSerializer.Serialize(before)}");
        string placed = await page.Locator("#walker-point").InnerTextAsync();
        double loss0 = double.Parse(await page.Locator("#walker-loss").GetAttributeAsync("data-value") ?? "NaN", System.Globalization.CultureInfo.InvariantCulture);

        await page.ClickAsync("#btn-step");
        await page.WaitForFunctionAsync("document.getElementById('walker-steps').innerText === '1'");
        string moved = await page.Locator("#walker-point").InnerTextAsync();
        double loss1 = double.Parse(await page.Locator("#walker-loss").GetAttributeAsync("data-value") ?? "NaN", System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(placed, moved);
        Assert.True(loss1 < loss0, $"the loss should decrease after a step: {loss0} → {loss1}");

        // The walker marker on the map moved to the new point too.
        var walker = await page.EvaluateAsync<double[]>("(() => { const t = document.getElementById('landscape-plot').data.find(d => d.meta === 'walker'); return [t.x[0], t.y[0]]; })()");
        Assert.Equal(await Coordinate(page, "x"), walker[0]);
        Assert.Equal(await Coordinate(page, "y"), walker[1]);

        // And Run keeps going downhill.
        await page.ClickAsync("#btn-run");
        await page.WaitForFunctionAsync("Number(document.getElementById('walker-steps').innerText) >= 20");
        await page.ClickAsync("#btn-run");
        double loss2 = double.Parse(await page.Locator("#walker-loss").GetAttributeAsync("data-value") ?? "NaN", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(loss2 < loss1, $"running should decrease the loss further: {loss1} → {loss2}");
        await ShotAsync(page, "landscape");
        await page.Context.CloseAsync();

        static async Task<double> Coordinate(IPage page, string axis) =>
            double.Parse(await page.Locator("#walker-point").GetAttributeAsync("data-" + axis) ?? "NaN", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task The_optimizer_race_draws_every_trajectory()
    {
        var page = await OpenAsync("race");
        await page.WaitForSelectorAsync("#race-plot[data-done=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        int checkedCount = await page.Locator("#race-optimizers input[type=checkbox]:checked").CountAsync();
        Assert.True(checkedCount >= 5);

        // Every chosen optimizer has a series in the plot, drawn in full (the animation finished).
        var lengths = await page.EvaluateAsync<int[]>("document.getElementById('race-plot').data.filter(t => t.meta === 'walk').map(t => t.x.length)");
        Assert.Equal(checkedCount, lengths.Length);
        Assert.All(lengths, n => Assert.True(n > 1));
        // Each one is a drawn SVG line with real extent.
        var drawn = await page.EvaluateAsync<int[]>("Array.from(document.querySelectorAll('#race-plot .scatterlayer .trace')).filter(t => t.querySelector('path.js-line')).map(t => (t.querySelector('path.js-line').getAttribute('d') || '').length)");
        Assert.True(drawn.Count(d => d > 20) >= checkedCount, $"drawn lines: {string.Join(", ", drawn)}");

        // The screenshot of the plot is not blank: many distinct colors (counted in the page from the PNG).
        byte[] png = await page.Locator("#race-plot").ScreenshotAsync();
        int colors = await DistinctColorsAsync(page, png);
        Assert.True(colors > 200, $"the race plot looks blank: {colors} distinct colors");
        await ShotAsync(page, "race");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_playground_shows_generated_code_and_a_passing_check_then_marks_a_syntax_error()
    {
        var page = await OpenAsync("playground");
        await page.WaitForSelectorAsync("#tab-playground[data-state=ok]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

        // Type a new loss into the editor (select all, then type it).
        const string source = """
            using System;
            using SymbolicGrad;

            public static partial class Mine
            {
                [Differentiable]
                public static double Bumpy(double u, double v) => Math.Sin(u) * Math.Cos(v) + 0.1 * (u * u + v * v);
            }

            """;
        await page.ClickAsync("#pg-editor .cm-content");
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.InsertTextAsync(source);
        await page.WaitForFunctionAsync("document.getElementById('pg-entry').value === 'Bumpy' && document.getElementById('tab-playground').dataset.state === 'ok'");

        await page.ClickAsync("#pg-subtabs button[data-sub=generated]");
        string generated = await page.Locator("#pg-generated .cm-content").InnerTextAsync();
        Assert.Contains("public static double BumpyGradient(double u, double v, out double dU, out double dV)", generated, StringComparison.Ordinal);

        await page.ClickAsync("#pg-subtabs button[data-sub=check]");
        Assert.Equal("true", await page.Locator("#pg-check").GetAttributeAsync("data-passed"));
        Assert.Contains("gradient check passed", await page.Locator("#pg-check").InnerTextAsync(), StringComparison.Ordinal);
        await page.ClickAsync("#pg-subtabs button[data-sub=landscape]");
        Assert.Equal("6", await page.Locator("#pg-plot").GetAttributeAsync("data-walks"));
        await ShotAsync(page, "playground");

        // Now break it by typing: the cursor goes to the end of line 7 (the line wraps, so End alone would stop at the
        // end of its first visual row) and Backspace deletes the semicolon.
        await page.EvaluateAsync("(() => { const v = window.explorer.tabs.playground.view; v.dispatch({ selection: { anchor: v.state.doc.line(7).to } }); v.focus(); })()");
        Assert.EndsWith(";", await page.Locator("#pg-editor .cm-line").Nth(6).InnerTextAsync(), StringComparison.Ordinal);
        await page.Keyboard.PressAsync("Backspace");
        await page.WaitForFunctionAsync("document.getElementById('tab-playground').dataset.state === 'diagnostics'");
        await page.WaitForSelectorAsync("#pg-editor .cm-lintRange-error");
        var item = page.Locator("#pg-diagnostics li.error").First;
        Assert.Equal("CS1002", await item.GetAttributeAsync("data-id"));
        Assert.Equal("7", await item.GetAttributeAsync("data-line"));
        Assert.Contains("; expected", await item.InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("#pg-editor .cm-lint-marker-error").CountAsync() >= 1, "the gutter marks the line");
        await ShotAsync(page, "playground-error");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_runs_under_its_content_security_policy()
    {
        var violations = new List<string>();
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(m.Text);
            }
        };
        page.PageError += (_, e) => violations.Add(e);
        await page.GotoAsync($"{server.BaseAddress}?token={server.Token}#race");
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        foreach (string tab in new[] { "playground", "landscape", "circuit" })
        {
            await page.ClickAsync($"#tabs button[data-tab={tab}]");
            await page.WaitForSelectorAsync($"body[data-tab={tab}]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        }

        await page.WaitForSelectorAsync("#tab-playground[data-state=ok]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
        Assert.Empty(violations);
        await context.CloseAsync();
    }

    [Fact]
    public async Task Every_tab_renders_without_errors()
    {
        var page = await OpenAsync();
        foreach (string tab in new[] { "rates", "batching", "valleys", "finder", "circuit" })
        {
            await page.ClickAsync($"#tabs button[data-tab={tab}]");
            await page.WaitForFunctionAsync($"document.body.dataset.tab === '{tab}'");
            await page.WaitForFunctionAsync($"document.querySelectorAll('#tab-{tab} .js-plotly-plot, #tab-{tab} svg#circuit-svg text').length > 0");
            Assert.True(await page.Locator("#error-banner").IsHiddenAsync(), await page.Locator("#error-banner").InnerTextAsync());
            await ShotAsync(page, tab);
        }

        // The circuit shows the forward values and the backward gradients of f = (x + y)·z at (−2, 5, −4).
        await page.WaitForFunctionAsync("document.querySelector('#circuit-svg text.bwd[data-edge=x]')?.textContent.includes('-4')");
        Assert.Equal("f = -12", await page.Locator("#circuit-svg text.fwd[data-edge=f]").TextContentAsync());
        await page.Context.CloseAsync();
    }

    // Loads the PNG into an image in the page and counts its distinct colors on a canvas.
    private static Task<int> DistinctColorsAsync(IPage page, byte[] png) =>
        page.EvaluateAsync<int>("""
            async (b64) => {
              const img = new Image();
              img.src = 'data:image/png;base64,' + b64;
              await img.decode();
              const c = document.createElement('canvas');
              c.width = img.width; c.height = img.height;
              const ctx = c.getContext('2d');
              ctx.drawImage(img, 0, 0);
              const d = ctx.getImageData(0, 0, c.width, c.height).data;
              const seen = new Set();
              for (let i = 0; i < d.length; i += 4) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
              return seen.size;
            }
            """, Convert.ToBase64String(png));
}
