using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Assistant.IntegrationTests.Autopilot;
using Assistant.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Assistant.IntegrationTests.Observability;

/// <summary>
/// <c>/console</c> in a real browser: Microsoft.Playwright driving Debian's chromium (no browser
/// download; <c>scripts/test.sh</c> installs the package) against a silo whose sampler figures the
/// test sets. The charts have as many points as the history, the score is the status's, an alert
/// raised meanwhile appears without a reload, an endpoint that fails shows as unreachable, and
/// without the key the page asks for it. A screenshot goes to the test output for a person to look at.
/// </summary>
public sealed class ConsoleTests : IAsyncLifetime
{
    private AutopilotSilo _service = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public static string ScreenshotPath { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots", "console.png");

    public async Task InitializeAsync()
    {
        _service = await AutopilotSilo.StartAsync("console", new Dictionary<string, string?>
        {
            ["AI:Prices:fake-model:InputPerMillion"] = "1000", // a tenth of a cent a token: the spend panel has figures to show
            ["AI:Prices:fake-model:OutputPerMillion"] = "1000",
            ["Budgets:GlobalDaily"] = "5",
        });
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = PrometheusServer.Binary("chromium"),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _service.DisposeAsync();
    }

    [Fact]
    public async Task The_console_shows_the_history_the_score_and_a_new_alert_and_says_when_a_source_is_unreachable()
    {
        // Some history: five health cycles with changing figures, each a cycle's length (an hour here) after the last.
        foreach (var (memory, cpu) in new[] { (180.0, 10.0), (190.0, 25.0), (210.0, 15.0), (205.0, 40.0), (220.0, 20.0) })
        {
            (_service.Figures.MemoryMb, _service.Figures.CpuPercent) = (memory, cpu);
            await _service.RefreshAsync();
            _service.Clock.Advance(TimeSpan.FromMinutes(61));
        }

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            HttpCredentials = new HttpCredentials { Username = "operator", Password = AutopilotSilo.AdminKey },
            ViewportSize = new ViewportSize { Width = 1280, Height = 1400 },
        });
        var page = await context.NewPageAsync();
        await page.RouteAsync("**/telegram/status", route => route.AbortAsync()); // this source fails
        // What the page was given to draw: a cycle of the monitor's own (its first tick) may add a
        // sample at any moment, so the charts are held to the status the page fetched.
        var fetched = page.WaitForResponseAsync(r => r.Url.Contains("/resources/status", StringComparison.Ordinal));
        var response = await page.GotoAsync($"{_service.Http.BaseAddress}console");
        Assert.Equal(200, response!.Status);
        var status = JsonDocument.Parse(await (await fetched).TextAsync()).RootElement;
        var history = status.GetProperty("history").GetArrayLength();
        Assert.True(history >= 5, $"history has {history} samples");

        // The 24-hour charts have one vertex per stored sample, and the score is the status's.
        var points = page.Locator("[data-chart=\"score\"] svg");
        await Assertions.Expect(points).ToHaveAttributeAsync("data-points", history.ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("[data-chart=\"memory\"] svg")).ToHaveAttributeAsync("data-points", history.ToString(CultureInfo.InvariantCulture));
        var vertices = (await page.Locator("[data-chart=\"cpu\"] polyline").GetAttributeAsync("points"))!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(history, vertices.Length);
        var score = status.GetProperty("health").GetProperty("health_score").GetDouble();
        await Assertions.Expect(page.Locator("[data-field=\"score\"]")).ToHaveTextAsync(score.ToString("0.#", CultureInfo.InvariantCulture));
        // The guide's baselines, as the status holds them: a row each, the out-of-range ones marked.
        await Assertions.Expect(page.Locator("[data-baseline]")).ToHaveCountAsync(status.GetProperty("guide_baselines").GetArrayLength());
        foreach (var baseline in status.GetProperty("guide_baselines").EnumerateArray())
        {
            var within = baseline.TryGetProperty("within", out var w) ? (w.GetBoolean() ? "yes" : "NO") : "not yet";
            await Assertions.Expect(page.Locator($"[data-baseline=\"{baseline.GetProperty("figure").GetString()}\"] td").Nth(3)).ToHaveTextAsync(within);
        }

        var components = status.GetProperty("health").GetProperty("components");
        await Assertions.Expect(page.Locator("[data-field=\"cpu-health\"]")).ToHaveTextAsync(components.GetProperty("cpu_health").GetDouble().ToString("0.#", CultureInfo.InvariantCulture));

        // A source that fails says so; the others say when their data was taken.
        await Assertions.Expect(page.Locator("#telegram")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("unreachable"));
        await Assertions.Expect(page.Locator("#telegram .taken")).ToContainTextAsync("unreachable");
        await Assertions.Expect(page.Locator("#score .taken")).ToContainTextAsync("data taken");
        await Assertions.Expect(page.Locator("#tasks .taken")).ToContainTextAsync("data taken");

        // An alert raised now appears at the next refresh, without a reload.
        _service.Figures.MemoryMb = 850;
        await _service.RefreshAsync();
        await Assertions.Expect(page.Locator("[data-alert=\"memory_warning\"]")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Assertions.Expect(page.Locator("[data-alert=\"memory_warning\"] .sev")).ToHaveTextAsync("high");

        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath, FullPage = true });
        Assert.True(new FileInfo(ScreenshotPath).Length > 10_000);
    }

    [Fact]
    public async Task The_spend_panel_shows_what_the_model_cost_as_GET_usage_says()
    {
        using (var response = await _service.Http.PostAsJsonAsync("/sessions/console-spend/messages", new { text = "what does the console say I cost?" }))
        {
            response.EnsureSuccessStatusCode();
        }

        var usage = await Eventually.UntilAsync(
            async () => JsonDocument.Parse(await _service.Http.GetStringAsync("/usage")).RootElement.Clone(),
            u => u.GetProperty("global").GetProperty("today").GetProperty("calls").GetInt32() >= 1 && u.GetProperty("global").GetProperty("held_usd").GetDecimal() == 0,
            "the call's cost recorded", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        var today = usage.GetProperty("global").GetProperty("today");
        var cost = today.GetProperty("cost_usd").GetDecimal();
        Assert.True(cost > 0, "the call cost something");

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            HttpCredentials = new HttpCredentials { Username = "operator", Password = AutopilotSilo.AdminKey },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{_service.Http.BaseAddress}console");

        var row = page.Locator("#spend tr").Filter(new() { HasText = "Today (" });
        var percent = (cost / 5m * 100m).ToString("0.#", CultureInfo.InvariantCulture);
        await Assertions.Expect(row.Locator("td")).ToHaveTextAsync($"US${cost:0.00##} of US$5.00 ({percent} %)");
        await Assertions.Expect(page.Locator("#spend tr").Filter(new() { HasText = "Today's calls" }).Locator("td"))
            .ToHaveTextAsync($"{today.GetProperty("calls").GetInt32()} calls, {today.GetProperty("input_tokens").GetInt64()} tokens in, {today.GetProperty("output_tokens").GetInt64()} out");
        await Assertions.Expect(page.Locator("#spend tr").Filter(new() { HasText = "This month by model" }).Locator("td")).ToContainTextAsync("fake-model US$");
    }

    [Fact]
    public async Task With_a_key_configured_the_console_asks_for_it()
    {
        await using var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();

        // Chromium meets a Basic challenge it has no credentials for (headless, nobody to type them).
        var refused = await Assert.ThrowsAsync<PlaywrightException>(() => page.GotoAsync($"{_service.Http.BaseAddress}console"));
        Assert.Contains("ERR_INVALID_AUTH_CREDENTIALS", refused.Message, StringComparison.Ordinal);

        var response = await context.APIRequest.GetAsync($"{_service.Http.BaseAddress}console");
        Assert.Equal(401, response.Status);
        Assert.StartsWith("Basic", response.Headers["www-authenticate"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_phone_the_panels_stack_in_one_column()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            HttpCredentials = new HttpCredentials { Username = "operator", Password = AutopilotSilo.AdminKey },
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{_service.Http.BaseAddress}console");
        await Assertions.Expect(page.Locator("#score .taken")).ToContainTextAsync("data taken");

        var score = (await page.Locator("#score").BoundingBoxAsync())!;
        var alerts = (await page.Locator("#alerts").BoundingBoxAsync())!;
        Assert.True(score.Width <= 390 && alerts.Y > score.Y + score.Height - 1, $"score {score.X},{score.Y} {score.Width}x{score.Height}; alerts at {alerts.X},{alerts.Y}");
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 390, $"the page is {scrollWidth} px wide on a 390 px screen");
    }
}
