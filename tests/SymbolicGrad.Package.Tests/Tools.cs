using System.Diagnostics;
using System.Text;

namespace SymbolicGrad.Package.Tests;

/// <summary>The checkout, found upwards from the test binary (not [CallerFilePath]: CI maps source paths to /_/).</summary>
internal static class Repository
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "SymbolicGrad.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"SymbolicGrad.sln not found above {AppContext.BaseDirectory}: run the tests from inside the checkout.");
    });

    public static string Root => RootPath.Value;

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);
}

/// <summary>The result of a child process: its exit code and everything it printed.</summary>
internal sealed record ProcessResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"'{Command}' exited with {ExitCode} after {Elapsed.TotalSeconds:F0} s:\n{Output}");
        }

        return this;
    }
}

/// <summary>Runs programs (dotnet, the native binary) as a user would in a terminal.</summary>
internal static class Shell
{
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // The test host runs inside `dotnet test`, whose MSBuild variables would leak into the child builds.
        foreach (string key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key is "DOTNET_HOST_PATH" or "NUGET_PACKAGES")
            {
                info.Environment.Remove(key);
            }
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // No MSBuild nodes left behind holding this process's pipes.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        string command = fileName + " " + string.Join(" ", info.ArgumentList);
        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        TimeSpan limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {limit.TotalSeconds:F0} s:\n{output}");
        }

        // Let the asynchronous readers drain what the process printed last (a build server that inherited the pipes may
        // keep them open: do not wait for it).
        try
        {
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            process.WaitForExitAsync(drain.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }
        lock (output)
        {
            return new ProcessResult(command, process.ExitCode, output.ToString(), stopwatch.Elapsed);
        }
    }

    public static ProcessResult Dotnet(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        Run("dotnet", arguments, workingDirectory, environment);
}
