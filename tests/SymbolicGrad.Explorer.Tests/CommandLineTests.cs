using System.Diagnostics;
using System.Reflection;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>The command line: bad arguments are refused with a message naming them, before anything listens.</summary>
public sealed class CommandLineTests
{
    private static (int Code, string Output) Run(params string[] args)
    {
        string configuration = typeof(CommandLineTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string dll = Path.Combine(ExplorerServer.FindRoot(), "samples", "Explorer", "bin", configuration, "net10.0", "Explorer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the Explorer should exit at once on a bad command line");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Theory]
    [InlineData("--port", "70000", "--port must be an integer from 0 to 65535, not '70000'.")]
    [InlineData("--workers", "0", "--workers must be an integer from 1 to 32, not '0'.")]
    [InlineData("--token", "short", "--token must be at least 16 characters long.")]
    [InlineData("--bogus", "1", "Unknown argument '--bogus'.")]
    public void A_bad_argument_exits_with_code_2_and_a_message(string name, string value, string message)
    {
        var (code, output) = Run(name, value);
        Assert.Equal(2, code);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.Contains("usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Urls_cannot_be_combined_with_port()
    {
        var (code, output) = Run("--urls", "http://127.0.0.1:0", "--port", "1");
        Assert.Equal(2, code);
        Assert.Contains("--urls cannot be combined with --host or --port.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_prints_the_usage_and_the_default_port()
    {
        var (code, output) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("default 5199", output, StringComparison.Ordinal);
    }
}
