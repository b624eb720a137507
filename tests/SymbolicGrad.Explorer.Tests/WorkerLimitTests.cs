using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>
/// The playground's limits against what a red-team found: work the code leaves running after its answer, output that
/// would blow up the server's memory, and crash messages that said "code 0" whatever ended the worker. The workers are the server's child processes; their CPU time and the server's
/// memory are read from /proc (Linux).
/// </summary>
[Collection(ExplorerCollection.Name)]
public sealed class WorkerLimitTests(ExplorerServer server)
{
    private static string Class(string name, string members, string loss = "x * x + y * y") =>
        "using System;\nusing SymbolicGrad;\n\npublic static partial class " + name + "\n{\n" + members +
        "\n    [Differentiable]\n    public static double Loss(double x, double y) => " + loss + ";\n}\n";

    // ---- 1. Work left running after the answer -------------------------------------------------------------------

    [Fact]
    public async Task A_loop_the_code_leaves_running_in_the_background_is_stopped_and_its_worker_replaced()
    {
        // The red-team's request: answered 200 in half a second, then the worker burned a core for good.
        using var client = server.Client();
        int replaced = await Replaced(client);
        var workers = ChildProcesses(server.ProcessId);
        string source = "using SymbolicGrad; public static partial class Bg1 { static Bg1() { System.Threading.Tasks.Task.Run(() => { while (true) { } }); } " +
                        "[Differentiable] public static double Loss(double x, double y) => x*x+y*y; }";
        var r = await client.Playground(source);
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));

        await AssertQuiet(workers, TimeSpan.FromSeconds(40));
        Assert.True(await Replaced(client) > replaced, "the worker that ran the code was not replaced");
        await AssertServing(client, 1.25);
    }

    [Fact]
    public async Task A_busy_thread_that_holds_nothing_of_the_code_is_stopped_by_the_idle_watchdog()
    {
        // A thread running a DynamicMethod (not in the code's assembly, so the assembly unloads): the worker's check after
        // the job cannot see it; the server's watch on an idle worker's CPU time does.
        using var client = server.Client();
        var workers = ChildProcesses(server.ProcessId);
        string source = Class("Bg2", """
                static Bg2()
                {
                    var spin = new System.Reflection.Emit.DynamicMethod("spin", null, Type.EmptyTypes);
                    var il = spin.GetILGenerator();
                    var top = il.DefineLabel();
                    il.MarkLabel(top);
                    il.Emit(System.Reflection.Emit.OpCodes.Br, top);
                    new System.Threading.Thread((System.Threading.ThreadStart)spin.CreateDelegate(typeof(System.Threading.ThreadStart))) { IsBackground = true }.Start();
                }
            """);
        var r = await client.Playground(source);
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));

        await AssertQuiet(workers, TimeSpan.FromSeconds(40));
        await AssertServing(client, 1.5);
    }

    [Fact]
    public async Task Code_that_leaves_nothing_behind_keeps_its_worker()
    {
        // The check after each job must not throw healthy workers away (each new one costs seconds of warm-up): a loss
        // that threw, and one that ran a task and waited for it, leave nothing running.
        using var client = server.Client();
        await AssertServing(client, 1.75);
        int replaced = await Replaced(client);
        var thrown = await client.Playground(Api.InClass("""
                [Differentiable]
                public static double Loss(double x, double y)
                {
                    if (x > -100)
                    {
                        throw new InvalidOperationException("no descent here");
                    }

                    return x * y;
                }
            """).Replace("partial class P", "partial class Keep1", StringComparison.Ordinal));
        Assert.Equal("runtime", thrown.GetProperty("errorKind").GetString());
        var waited = await client.Playground(Class("Keep2", "static readonly double K = System.Threading.Tasks.Task.Run(() => 2.0).Result;", "x * x + K * y * y"));
        Assert.True(waited.GetProperty("ok").GetBoolean(), Api.Describe(waited));
        await AssertServing(client, 2.25);
        Assert.Equal(replaced, await Replaced(client));
    }

    // ---- 2. Output the server reads from a worker ----------------------------------------------------------------

    [Fact]
    public async Task Code_that_floods_the_process_standard_output_is_stopped_and_the_server_memory_stays_bounded()
    {
        using var client = server.Client();
        long before = ResidentBytes(server.ProcessId);
        // 200 MB without a newline: the server held the whole "line" (as UTF-16: twice that), and more.
        var r = await client.Playground(Class("Out1", """
                static readonly int K = Flood();
                static int Flood()
                {
                    var s = Console.OpenStandardOutput();
                    var b = new byte[1 << 20];
                    Array.Fill(b, (byte)'a');
                    for (int i = 0; i < 200; i++) s.Write(b);
                    return 0;
                }
            """, "x * x + y * y + K"));
        Assert.Equal("output", r.GetProperty("errorKind").GetString());
        Assert.Contains("standard output", r.GetProperty("error").GetString(), StringComparison.Ordinal);
        AssertGrewLessThan(before, 150);
        await AssertServing(client, 2.5);
    }

    [Fact]
    public async Task Code_that_floods_the_process_standard_error_is_stopped_and_the_server_prints_no_long_line()
    {
        using var client = server.Client();
        long before = ResidentBytes(server.ProcessId);
        var r = await client.Playground(Class("Out2", """
                static readonly int K = Flood();
                static int Flood()
                {
                    var s = Console.OpenStandardError();
                    var b = new byte[1 << 20];
                    Array.Fill(b, (byte)'a');
                    for (int i = 0; i < 200; i++) s.Write(b);
                    return 0;
                }
            """, "x * x + y * y + K"));
        Assert.Equal("output", r.GetProperty("errorKind").GetString());
        Assert.Contains("standard error", r.GetProperty("error").GetString(), StringComparison.Ordinal);
        AssertGrewLessThan(before, 150);
        AssertNoLongLine();
        await AssertServing(client, 2.75);
    }

    [Fact]
    public async Task What_the_code_writes_to_Console_Error_is_discarded_not_copied_to_the_server()
    {
        // The red-team's request (1,500 × 1 MB there): the server's memory went from 108 MB to 764 MB and it printed a
        // 67 MB line.
        using var client = server.Client();
        long before = ResidentBytes(server.ProcessId);
        var r = await client.Playground(Class("Out3", """
                static readonly int K = Flood();
                static int Flood()
                {
                    var s = new string('a', 1 << 20);
                    for (int i = 0; i < 300; i++) Console.Error.Write(s);
                    return 0;
                }
            """, "x * x + y * y + K"));
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
        AssertGrewLessThan(before, 150);
        AssertNoLongLine();
    }

    // ---- 3. What ended a worker ----------------------------------------------------------------------------------

    public static TheoryData<string, string, string[]> Crashes => new()
    {
        {
            "Exit3", "static readonly int K = Quit(); static int Quit() { Environment.Exit(3); return 0; }",
            ["exit code 3", "Environment.Exit"]
        },
        {
            "Deep", "static readonly int K = Deeper(0); static int Deeper(int n) => Deeper(n + 1) + 1;",
            ["stack overflow", "Deeper"]
        },
        {
            "Thrower", "static readonly int K = Boom(); static int Boom() { var t = new System.Threading.Thread(() => throw new InvalidOperationException(\"boom on a thread\")); t.Start(); t.Join(); return 0; }",
            ["unhandled exception", "System.InvalidOperationException: boom on a thread"]
        },
    };

    [Theory]
    [MemberData(nameof(Crashes))]
    public async Task A_crash_says_what_ended_the_worker(string name, string members, string[] expected)
    {
        using var client = server.Client();
        var r = await client.Playground(Class(name, members, "x * x + y * y + K"));
        Assert.Equal("crash", r.GetProperty("errorKind").GetString());
        string error = r.GetProperty("error").GetString()!;
        foreach (string e in expected)
        {
            Assert.Contains(e, error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("code 0)", error, StringComparison.Ordinal);
        await AssertServing(client, 3.5);
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static async Task<int> Replaced(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("replaced").GetInt32();

    /// <summary>The next request compiles and runs (a loss of its own, so that the cache does not answer it).</summary>
    private static async Task AssertServing(HttpClient client, double a)
    {
        var r = await client.Playground(Api.InClass($$"""
                [Differentiable]
                public static double Loss(double x, double y) => (x - {{a.ToString(CultureInfo.InvariantCulture)}}) * (x - {{a.ToString(CultureInfo.InvariantCulture)}}) + y * y;
            """), new { optimizers = new[] { new { kind = "lbfgs" } } });
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
        Assert.Equal(a, r.GetProperty("walks")[0].GetProperty("points").EnumerateArray().Last().Doubles()[0], 6);
    }

    /// <summary>
    /// Waits until none of <paramref name="workers"/> (the server's children before the request) keeps a core busy: each
    /// has exited or used less than 0.3 s of CPU in 1.5 s. A worker started since (warming up) is not among them.
    /// </summary>
    private static async Task AssertQuiet(IReadOnlyList<int> workers, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < deadline)
        {
            var first = workers.ToDictionary(p => p, CpuSeconds);
            await Task.Delay(1500);
            var busy = workers
                .Select(p => (Pid: p, Used: CpuSeconds(p) - first[p]))
                .Where(x => x.Used is > 0.3)
                .ToList();
            if (busy.Count == 0)
            {
                return;
            }

            last = string.Join(", ", busy.Select(b => $"worker process {b.Pid} used {b.Used:0.00} s of CPU in 1.5 s"));
        }

        Assert.Fail($"A worker kept a core busy after its job was answered, {deadline.TotalSeconds:0} s on: {last}.");
    }

    private void AssertGrewLessThan(long before, int megabytes)
    {
        long after = ResidentBytes(server.ProcessId);
        Assert.True(after - before < megabytes * 1024L * 1024,
            $"the server's resident memory grew by {(after - before) / (1024 * 1024)} MB ({before / (1024 * 1024)} → {after / (1024 * 1024)} MB)");
    }

    private void AssertNoLongLine()
    {
        int longest = server.Output.Split('\n').Max(l => l.Length);
        Assert.True(longest < 1000, $"the server printed a line of {longest} characters");
    }

    /// <summary>The child processes of <paramref name="parent"/> (from /proc).</summary>
    private static List<int> ChildProcesses(int parent)
    {
        var children = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            if (Stat(pid) is { } fields && fields.Length > 1 && int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                children.Add(pid);
            }
        }

        return children;
    }

    /// <summary>User and system CPU time of a process in seconds; null once it has exited.</summary>
    private static double? CpuSeconds(int pid) =>
        Stat(pid) is { } f && f.Length > 12 && f[0] != "Z"
            ? (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0
            : null;

    /// <summary>The fields of /proc/PID/stat after "(comm)": state, ppid, …; null when the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long ResidentBytes(int pid)
    {
        string line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
