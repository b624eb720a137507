using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace SymbolicGrad.Explorer.Tests;

/// <summary>The playground API against the running server: real generator, real workers, real limits.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class PlaygroundTests(ExplorerServer server)
{
    // f = (x − 1)² + 3(y + 2)² + x·y. Closed forms: ∂f/∂x = 2(x − 1) + y, ∂f/∂y = 6(y + 2) + x; the minimum solves
    // 2(x − 1) + y = 0 and 6(y + 2) + x = 0: x = 24/11, y = −26/11.
    private static readonly string Quadratic = Api.InClass("""
            [Differentiable]
            public static double Loss(double x, double y)
            {
                double a = x - 1;
                double b = y + 2;
                return a * a + 3 * b * b + x * y;
            }
        """);

    private static double F(double x, double y) => (x - 1) * (x - 1) + 3 * (y + 2) * (y + 2) + x * y;

    [Fact]
    public async Task A_loss_compiles_with_the_generator_and_its_gradient_matches_the_closed_form()
    {
        using var client = server.Client();
        var r = await client.Playground(Quadratic, new { start = new[] { 0.5, -1.0 }, steps = 100, gridSize = 21 });
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
        Assert.Empty(r.GetProperty("diagnostics").EnumerateArray());

        // The generated source is the generator's: a LossGradient with out parameters and a LossObjective.
        var function = Assert.Single(r.GetProperty("functions").EnumerateArray());
        string generated = function.GetProperty("generated").GetString()!;
        Assert.Contains("public static double LossGradient(double x, double y, out double dX, out double dY)", generated, StringComparison.Ordinal);
        Assert.Contains("LossObjective()", generated, StringComparison.Ordinal);
        Assert.Equal(2, r.GetProperty("derivatives").GetArrayLength());
        Assert.StartsWith("∂Loss/∂x", r.GetProperty("derivatives")[0].GetString(), StringComparison.Ordinal);

        // The gradient check passed, and its analytic column is the closed form at (0.5, −1).
        var check = r.GetProperty("check");
        Assert.True(check.GetProperty("passed").GetBoolean(), check.GetProperty("text").GetString());
        Assert.Equal(check.GetProperty("pointsChecked").GetInt32(), check.GetProperty("pointsPassed").GetInt32());
        var rows = check.GetProperty("rows");
        Assert.Equal(2 * (0.5 - 1) + -1, rows[0].GetProperty("analytic").GetDouble(), 12);
        Assert.Equal(6 * (-1 + 2) + 0.5, rows[1].GetProperty("analytic").GetDouble(), 12);
        Assert.Equal(F(0.5, -1), check.GetProperty("value").GetDouble(), 12);

        // The landscape holds f on the grid over the default box [−3, 3]².
        var grid = r.GetProperty("landscape");
        var xs = grid.GetProperty("x").Doubles();
        var ys = grid.GetProperty("y").Doubles();
        Assert.Equal(21, xs.Length);
        Assert.Equal(-3, xs[0], 12);
        Assert.Equal(3, ys[^1], 12);
        Assert.Equal(F(xs[4], ys[17]), grid.GetProperty("z")[17][4].GetDouble(), 10);

        // Every default optimizer walked; L-BFGS reached the closed-form minimum.
        var walks = r.GetProperty("walks").EnumerateArray().ToList();
        Assert.Equal(6, walks.Count);
        var lbfgs = walks.Single(w => w.GetProperty("kind").GetString() == "lbfgs");
        var last = lbfgs.GetProperty("points").EnumerateArray().Last().Doubles();
        Assert.Equal(24.0 / 11, last[0], 6);
        Assert.Equal(-26.0 / 11, last[1], 6);
        foreach (var w in walks)
        {
            var values = w.GetProperty("values").Doubles();
            Assert.True(values[^1] < values[0], $"{w.GetProperty("label")} did not descend: {values[0]} → {values[^1]}");
        }
    }

    [Fact]
    public async Task A_syntax_error_comes_back_as_a_diagnostic_at_its_line_never_a_500()
    {
        using var client = server.Client();
        string source = Api.InClass("""
                [Differentiable]
                public static double Loss(double x, double y)
                {
                    double a = x * y
                    return a * a;
                }
            """);
        int line = source.Split('\n').ToList().FindIndex(l => l.Contains("double a = x * y", StringComparison.Ordinal)) + 1;
        var r = await client.Playground(source);
        Assert.False(r.GetProperty("ok").GetBoolean());
        var d = r.GetProperty("diagnostics").EnumerateArray().First(x => x.GetProperty("id").GetString() == "CS1002");
        Assert.Equal("error", d.GetProperty("severity").GetString());
        Assert.Equal(line, d.GetProperty("line").GetInt32());
        Assert.Equal("; expected", d.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_generator_error_is_an_SG_diagnostic_at_the_node()
    {
        using var client = server.Client();
        string source = Api.InClass("""
                [Differentiable]
                public static double Loss(double[] w)
                {
                    w[0] = 1;
                    return w[0] * w[1];
                }
            """);
        int line = source.Split('\n').ToList().FindIndex(l => l.Contains("w[0] = 1;", StringComparison.Ordinal)) + 1;
        var r = await client.Playground(source);
        Assert.False(r.GetProperty("ok").GetBoolean());
        var sg = r.GetProperty("diagnostics").EnumerateArray().Where(x => x.GetProperty("id").GetString()!.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(sg);
        Assert.Contains(sg, d => d.GetProperty("line").GetInt32() == line && d.GetProperty("severity").GetString() == "error");
        // ...in the user's file (no "file"), so that the editor underlines it: SG diagnostics came back as "(no location)",
        // listed below the editor but never marked in it.
        Assert.All(sg, d => Assert.False(d.TryGetProperty("file", out var file), $"{d.GetProperty("id")} came back in file {file}"));
        Assert.False(r.GetProperty("functions")[0].TryGetProperty("generated", out _), "no gradient is generated for a refused method");
    }

    [Fact]
    public async Task A_semantic_error_names_the_symbol_and_its_line()
    {
        using var client = server.Client();
        string source = Api.InClass("""
                [Differentiable]
                public static double Loss(double x, double y) => x * z;
            """);
        var r = await client.Playground(source);
        var d = Assert.Single(r.GetProperty("diagnostics").EnumerateArray(), x => x.GetProperty("id").GetString() == "CS0103");
        Assert.Contains("'z'", d.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(7, d.GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task An_endless_loop_is_stopped_with_a_message_and_the_next_request_works()
    {
        using var client = server.Client();
        string endless = Api.InClass("""
                [Differentiable]
                public static double Loss(double x, double y)
                {
                    double s = x * x + y * y;
                    while (s > -1)
                    {
                        s = s * 1.0;
                    }

                    return s;
                }
            """);
        var clock = Stopwatch.StartNew();
        var r = await client.Playground(endless, new { timeLimitSeconds = 3 });
        Assert.Equal("timeout", r.GetProperty("errorKind").GetString());
        Assert.Contains("Stopped after 3 s", r.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("time limit", r.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("an endless loop?", r.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed.TotalSeconds, 2.5, 25);

        // The server keeps serving, and the next request compiles and runs.
        var next = await client.Playground(Quadratic.Replace("3 * b * b", "3.5 * b * b", StringComparison.Ordinal));
        Assert.True(next.GetProperty("ok").GetBoolean(), Api.Describe(next));
        Assert.True(next.GetProperty("check").GetProperty("passed").GetBoolean());
        var status = await client.GetFromJsonAsync<JsonElement>("/api/status");
        Assert.True(status.GetProperty("replaced").GetInt32() >= 1);
    }

    [Fact]
    public async Task An_allocation_of_many_gigabytes_is_stopped_with_a_message_and_the_next_request_works()
    {
        using var client = server.Client();
        // 1.5 billion doubles: 12 GB, far above the worker's limit.
        string hog = Api.InClass("""
                private static readonly double[] Big = new double[1_500_000_000];

                [Differentiable]
                public static double Loss(double x, double y) => x * x + y * y + Big.Length;
            """);
        var r = await client.Playground(hog);
        Assert.Equal("memory", r.GetProperty("errorKind").GetString());
        Assert.Contains("memory", r.GetProperty("error").GetString(), StringComparison.Ordinal);

        var next = await client.Playground(Quadratic.Replace("3 * b * b", "2.5 * b * b", StringComparison.Ordinal));
        Assert.True(next.GetProperty("ok").GetBoolean(), Api.Describe(next));
    }

    [Fact]
    public async Task Memory_taken_bit_by_bit_outside_the_GC_is_stopped_by_the_watchdog()
    {
        using var client = server.Client();
        // Native memory, touched page by page: the GC heap limit does not see it; the server's watchdog does.
        string hog = Api.InClass("""
                private static readonly int Taken = Take();

                private static int Take()
                {
                    byte[] ones = new byte[64 << 20];
                    Array.Fill(ones, (byte)1);
                    for (int block = 0; block < 256; block++)
                    {
                        IntPtr p = System.Runtime.InteropServices.Marshal.AllocHGlobal(ones.Length);
                        System.Runtime.InteropServices.Marshal.Copy(ones, 0, p, ones.Length);
                    }

                    return 0;
                }

                [Differentiable]
                public static double Loss(double x, double y) => x * x + y * y + Taken;
            """);
        var r = await client.Playground(hog);
        Assert.Equal("memory", r.GetProperty("errorKind").GetString());
        Assert.Contains($"memory limit ({ExplorerServer.MemoryMegabytes} MB)", r.GetProperty("error").GetString(), StringComparison.Ordinal);

        var next = await client.Playground(Quadratic.Replace("3 * b * b", "2.75 * b * b", StringComparison.Ordinal));
        Assert.True(next.GetProperty("ok").GetBoolean(), Api.Describe(next));
    }

    [Fact]
    public async Task A_stack_overflow_crashes_only_the_worker_which_is_replaced()
    {
        using var client = server.Client();
        string source = Api.InClass("""
                private static readonly int Depth = Deeper(0);

                private static int Deeper(int n) => Deeper(n + 1) + 1;

                [Differentiable]
                public static double Loss(double x, double y) => x * x + y * y + Depth;
            """);
        var r = await client.Playground(source);
        Assert.Equal("crash", r.GetProperty("errorKind").GetString());
        Assert.Contains("A stack overflow", r.GetProperty("error").GetString(), StringComparison.Ordinal);

        var next = await client.Playground(Quadratic.Replace("3 * b * b", "3.25 * b * b", StringComparison.Ordinal));
        Assert.True(next.GetProperty("ok").GetBoolean(), Api.Describe(next));
    }

    [Fact]
    public async Task Fifty_concurrent_compile_and_run_requests_all_answer_correctly()
    {
        using var client = server.Client();
        // Fifty different losses (x − aₖ)² + 2(y − bₖ)²: distinct sources (no cache), each with its own minimum, so a mixed-up answer fails.
        var tasks = Enumerable.Range(0, 50).Select(async k =>
        {
            double a = 0.1 * k - 2, b = 1.5 - 0.05 * k;
            string source = Api.InClass($$"""
                    [Differentiable]
                    public static double Loss(double x, double y) => (x - ({{a:R}})) * (x - ({{a:R}})) + 2 * (y - ({{b:R}})) * (y - ({{b:R}}));
                """);
            var r = await client.Playground(source, new { steps = 60, gridSize = 10, optimizers = new[] { new { kind = "lbfgs" }, new { kind = "adam" } } });
            return (a, b, r);
        }).ToArray();
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(tasks);
        foreach (var (a, b, r) in results)
        {
            Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
            Assert.True(r.GetProperty("check").GetProperty("passed").GetBoolean());
            var last = r.GetProperty("walks")[0].GetProperty("points").EnumerateArray().Last().Doubles();
            Assert.Equal(a, last[0], 6);
            Assert.Equal(b, last[1], 6);
        }

        Console.WriteLine($"50 concurrent playground requests: {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task An_exception_in_the_loss_is_reported_as_such()
    {
        using var client = server.Client();
        string source = Api.InClass("""
                [Differentiable]
                public static double Loss(double x, double y)
                {
                    if (x > -100)
                    {
                        throw new InvalidOperationException("no descent today");
                    }

                    return x * y;
                }
            """);
        var r = await client.Playground(source);
        Assert.Equal("runtime", r.GetProperty("errorKind").GetString());
        Assert.Contains("no descent today", r.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_than_two_parameters_run_without_a_landscape()
    {
        using var client = server.Client();
        string source = Api.InClass("""
                [Differentiable]
                public static double Loss(double[] w)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        s += (i + 1) * w[i] * w[i];
                    }

                    return s;
                }
            """);
        var r = await client.Playground(source, new { arrayLength = 4, start = new[] { 1.0, -1.0, 0.5, 2.0 } });
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
        Assert.False(r.TryGetProperty("landscape", out _));
        var rows = r.GetProperty("check").GetProperty("rows");
        double[] start = [1.0, -1.0, 0.5, 2.0];
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(2 * (i + 1) * start[i], rows[i].GetProperty("analytic").GetDouble(), 12);
        }

        Assert.Equal(["w[0]", "w[1]", "w[2]", "w[3]"], r.GetProperty("parameterNames").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_jagged_matrix_parameter_runs_and_the_worker_stays()
    {
        // A double[][] parameter gets two objectives (row lengths, or rows and columns): the playground must pick one, not
        // end its worker on the ambiguity and report a crash of the user's code. f = Σᵢⱼ (i + 2j + 1)·w[i][j]², so
        // ∂f/∂w[i][j] = 2(i + 2j + 1)·w[i][j].
        using var client = server.Client();
        string source = Api.InClass("""
                [Differentiable]
                public static double Loss(double[][] w)
                {
                    double s = 0;
                    for (int i = 0; i < w.Length; i++)
                    {
                        for (int j = 0; j < w[i].Length; j++)
                        {
                            s += (i + 2 * j + 1) * w[i][j] * w[i][j];
                        }
                    }

                    return s;
                }
            """);
        int replaced = (await client.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("replaced").GetInt32();
        double[] start = [1.0, -1.0, 0.5, 2.0];
        var r = await client.Playground(source, new { arrayLength = 2, start });
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
        Assert.Equal(["w[0][0]", "w[0][1]", "w[1][0]", "w[1][1]"], r.GetProperty("parameterNames").EnumerateArray().Select(e => e.GetString()));
        var rows = r.GetProperty("check").GetProperty("rows");
        for (int k = 0; k < 4; k++)
        {
            int i = k / 2, j = k % 2;
            Assert.Equal(2 * (i + 2 * j + 1) * start[k], rows[k].GetProperty("analytic").GetDouble(), 12);
        }

        Assert.True(r.GetProperty("check").GetProperty("passed").GetBoolean());
        Assert.Equal(replaced, (await client.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("replaced").GetInt32());
    }

    [Fact]
    public async Task A_method_of_a_generic_type_or_a_vector_valued_one_is_refused_with_a_message_and_the_worker_stays()
    {
        using var client = server.Client();
        int replaced = (await client.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("replaced").GetInt32();
        string generic = """
            using SymbolicGrad;

            public static partial class Box<T>
            {
                [Differentiable]
                public static double Loss(double x, double y) => x * x + y * y;
            }
            """;
        var r = await client.Playground(generic);
        Assert.False(r.GetProperty("ok").GetBoolean());
        Assert.Equal("unsupported", r.GetProperty("errorKind").GetString());
        Assert.Contains("generic type Box<T>", r.GetProperty("error").GetString(), StringComparison.Ordinal);

        string vector = Api.InClass("""
                [Differentiable]
                public static void Residuals(ReadOnlySpan<double> x, Span<double> r)
                {
                    r[0] = x[0] - 1;
                    r[1] = x[0] * x[1];
                }
            """);
        r = await client.Playground(vector);
        Assert.Equal("unsupported", r.GetProperty("errorKind").GetString());
        Assert.Contains("vector-valued", r.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(replaced, (await client.GetFromJsonAsync<JsonElement>("/api/status")).GetProperty("replaced").GetInt32());
    }

    [Fact]
    public async Task An_instance_method_of_a_struct_runs()
    {
        // The playground creates the receiver of an instance method; a struct has its parameterless constructor
        // implicitly, which reflection's GetConstructor does not list, and the playground answered "S has no public
        // parameterless constructor: make it static". f = (x − 1)² + 2y², ∇f = (2(x − 1), 4y).
        using var client = server.Client();
        string source = """
            using SymbolicGrad;

            public partial struct S
            {
                [Differentiable]
                public double Loss(double x, double y) => (x - 1) * (x - 1) + 2 * y * y;
            }
            """;
        var r = await client.Playground(source, new { start = new[] { 0.5, -1.5 } });
        Assert.True(r.GetProperty("ok").GetBoolean(), Api.Describe(r));
        var rows = r.GetProperty("check").GetProperty("rows");
        Assert.Equal(2 * (0.5 - 1), rows[0].GetProperty("analytic").GetDouble(), 12);
        Assert.Equal(4 * -1.5, rows[1].GetProperty("analytic").GetDouble(), 12);
    }

    [Fact]
    public async Task A_method_too_large_to_compile_in_time_is_stopped_with_a_message_that_says_so()
    {
        // 2,500 terms: legal C# that takes the generator seconds, so the worker is stopped before the code ever runs. The
        // answer said "the code ran longer than the playground's time limit (an endless loop?)", about code that never ran.
        using var client = server.Client();
        string terms = string.Join(" + ", Enumerable.Range(0, 2500).Select(k => $"{k + 1}*x*y"));
        string source = Api.InClass($$"""
                [Differentiable]
                public static double Loss(double x, double y) => {{terms}};
            """);
        Assert.True(source.Length < 32 * 1024);
        var r = await client.Playground(source, new { timeLimitSeconds = 0.5 });
        Assert.Equal("timeout", r.GetProperty("errorKind").GetString());
        string error = r.GetProperty("error").GetString()!;
        Assert.Contains("compiling the code", error, StringComparison.Ordinal);
        Assert.Contains("the code did not run", error, StringComparison.Ordinal);
        Assert.DoesNotContain("endless loop", error, StringComparison.Ordinal);
    }
}
