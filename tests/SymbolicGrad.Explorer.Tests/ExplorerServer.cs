using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>
/// Starts the real Explorer (samples/Explorer's build output) as a separate process on a free loopback port, reads
/// the URL and token it prints, and waits until its playground workers are warm. Shared by every test of the collection.
/// </summary>
public sealed partial class ExplorerServer : IAsyncLifetime
{
    private Process? _process;
    private readonly List<string> _output = [];

    /// <summary>The base address, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The access token the server printed.</summary>
    public string Token { get; private set; } = "";

    /// <summary>The server's process id (its workers are its child processes).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not running.");

    /// <summary>
    /// The playground's time limit the server was started with: generous, because the test machine is shared and can
    /// be very busy; the endless-loop test asks for a shorter limit in its request.
    /// </summary>
    public const int TimeoutSeconds = 30;

    /// <summary>Worker processes the server was started with.</summary>
    public const int Workers = 2;

    /// <summary>The memory limit of a worker (MB).</summary>
    public const int MemoryMegabytes = 512;

    /// <summary>Everything the server printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join("\n", _output);
            }
        }
    }

    /// <summary>A client that sends the token in the Authorization header.</summary>
    public HttpClient Client(bool withToken = true)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        if (withToken)
        {
            client.DefaultRequestHeaders.Add("Authorization", "token " + Token);
        }

        return client;
    }

    public async Task InitializeAsync()
    {
        string root = FindRoot();
        string configuration = typeof(ExplorerServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string dll = Path.Combine(root, "samples", "Explorer", "bin", configuration, "net10.0", "Explorer.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"The Explorer is not built ({dll} is missing): dotnet build samples/Explorer -c {configuration}.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "exec", dll, "--port", "0", "--workers", Workers.ToString(), "--timeout", TimeoutSeconds.ToString(), "--memory", MemoryMegabytes.ToString() })
        {
            start.ArgumentList.Add(a);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                url.TrySetException(new InvalidOperationException("The Explorer exited before printing its URL:\n" + Output));
                return;
            }

            lock (_output)
            {
                _output.Add(e.Data);
            }

            var m = UrlPattern().Match(e.Data);
            if (m.Success)
            {
                url.TrySetResult(m.Value);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _output.Add(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var printed = new Uri(await url.Task.WaitAsync(TimeSpan.FromSeconds(120)));
        BaseAddress = new Uri(printed.GetLeftPart(UriPartial.Authority));
        Token = printed.Query.Split('=')[1];

        // Wait until every worker is warm, so the tests measure the playground and not the warm-up.
        using var client = Client();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var status = await client.GetFromJsonAsync<JsonElement>("/api/status");
            if (status.GetProperty("warmupMs").GetArrayLength() >= Workers)
            {
                break;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(240))
            {
                throw new TimeoutException("The playground workers did not warm up in 240 s:\n" + Output);
            }

            await Task.Delay(200);
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The folder holding SymbolicGrad.sln, found upwards from the test binary.</summary>
    public static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SymbolicGrad.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"SymbolicGrad.sln not found above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]+")]
    private static partial Regex UrlPattern();
}

[CollectionDefinition(Name)]
public sealed class ExplorerCollection : ICollectionFixture<ExplorerServer>
{
    public const string Name = "Explorer server";
}
