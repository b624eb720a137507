using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace SymbolicGrad.Explorer.Playground;

/// <summary>
/// The worker process (<c>Explorer worker</c>): reads one <see cref="WorkerCommand"/> per line on stdin, answers one
/// <see cref="WorkerReply"/> per line on stdout. It warms Roslyn and the generator up before it says it is ready.
/// The server enforces the limits (wall clock, memory) by killing it; the worker itself only turns an
/// out-of-memory into an answer before it exits.
/// </summary>
public static class WorkerMain
{
    /// <summary>The command-line argument that starts a worker.</summary>
    public const string Argument = "worker";

    /// <summary>The environment variable holding the server's process id: a worker exits when the server is gone.</summary>
    public const string ParentVariable = "SYMBOLICGRAD_EXPLORER_SERVER_PID";

    /// <summary>The page's first example (also the first loss of the warm-up).</summary>
    public const string WarmupSource = """
        using System;
        using SymbolicGrad;

        public static partial class Warmup
        {
            [Differentiable]
            public static double Loss(double x, double y) => Math.Sin(x) * y + (x - 1) * (x - 1) + Math.Exp(0.1 * y);
        }
        """;

    /// <summary>
    /// More of what people write (branches, loops over arrays, local arrays, helper calls), so that the generator's
    /// code paths for them are JIT-compiled before the first request, not during it.
    /// </summary>
    private const string WarmupMore = """
        using System;
        using SymbolicGrad;

        public static partial class WarmupMore
        {
            private static readonly double[] Xs = { 1, 2, 3 };

            [Differentiable]
            public static double Helper(double t) => Math.Log(1 + Math.Exp(t));

            [Differentiable]
            public static double Branchy(double x, double y)
            {
                double r = Math.Sqrt(x * x + y * y + 1e-6);
                if (x > 0)
                {
                    return r + 0.5 * Math.Abs(y - 1) + Helper(x - y);
                }

                return Math.Max(x, y) * Math.Pow(r, 1.5);
            }

            [Differentiable]
            public static double Arrays(double[] w)
            {
                double[] h = new double[w.Length];
                double sum = 0;
                for (int i = 0; i < w.Length; i++)
                {
                    h[i] = Math.Tanh(w[i] * Xs[i % Xs.Length]);
                }

                foreach (double v in h)
                {
                    sum += v * v;
                }

                int k = 0;
                while (k < w.Length)
                {
                    sum += w[k] * w[k];
                    k++;
                }

                return sum / w.Length;
            }
        }
        """;

    // A worker busy in an endless loop never reads its closed stdin: it also exits when the server's process is gone
    // (a server killed without a chance to stop its workers).
    private static void WatchParent()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int pid))
        {
            return;
        }

        var thread = new Thread(() =>
        {
            while (true)
            {
                Thread.Sleep(1000);
                try
                {
                    using var parent = Process.GetProcessById(pid);
                    if (parent.HasExited)
                    {
                        Environment.Exit(5);
                    }
                }
                catch (ArgumentException)
                {
                    Environment.Exit(5);
                }
            }
        })
        { IsBackground = true, Name = "parent watch" };
        thread.Start();
    }

    private static void Warm(PlaygroundRequest request)
    {
        var result = PlaygroundCompiler.Run(request);
        if (!result.Ok)
        {
            // The warm-up losses must compile and run; say so (the server prints the worker's stderr) if they stop doing so.
            Console.Error.WriteLine($"warm-up of {request.Entry ?? "Loss"} did not run: {result.Error} {string.Join("; ", result.Diagnostics.Select(d => d.Id + " " + d.Message))}");
        }
    }

    /// <summary>Runs the worker loop until stdin closes.</summary>
    public static int Run()
    {
        // The protocol owns the real stdout; whatever user code writes to Console goes nowhere.
        var protocol = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        Console.SetOut(TextWriter.Null);
        Console.SetIn(TextReader.Null);

        WatchParent();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 2; i++)
        {
            Warm(new PlaygroundRequest { Source = WarmupSource.Replace("0.1", "0." + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) });
            Warm(new PlaygroundRequest { Source = WarmupMore, Entry = "Branchy" });
            Warm(new PlaygroundRequest { Source = WarmupMore, Entry = "Arrays", ArrayLength = 3 });
        }

        protocol.WriteLine(JsonSerializer.Serialize(new WorkerReply(0, null, Ready: true, WarmupMs: clock.Elapsed.TotalMilliseconds), Json.Options));

        while (input.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            WorkerCommand? command;
            try
            {
                command = JsonSerializer.Deserialize<WorkerCommand>(line, Json.Options);
            }
            catch (JsonException)
            {
                command = null;
            }

            if (command is null)
            {
                Console.Error.WriteLine("worker: unreadable command");
                return 3;
            }

            PlaygroundResult result;
            bool fatal = false;
            try
            {
                result = PlaygroundCompiler.Run(command.Job, () => protocol.WriteLine(JsonSerializer.Serialize(new WorkerReply(command.Id, null, Phase: "run"), Json.Options)));
            }
            catch (Exception e) when (PlaygroundCompiler.IsOutOfMemory(e))
            {
                result = new PlaygroundResult
                {
                    ErrorKind = "memory",
                    Error = "The loss ran out of memory (the worker's limit): the worker was replaced.",
                };
                fatal = true;
            }
            catch (InsufficientExecutionStackException)
            {
                result = new PlaygroundResult { ErrorKind = "crash", Error = "The code nests too deeply for the compiler's stack." };
            }
            catch (Exception e)
            {
                // Not the user's code failing (that is caught inside Run): the playground itself. Answer and keep serving,
                // rather than exit and have the server report a crash of the user's code.
                result = new PlaygroundResult { ErrorKind = "runtime", Error = $"The playground could not run this code ({e.GetType().Name}: {e.Message})." };
            }

            protocol.WriteLine(JsonSerializer.Serialize(new WorkerReply(command.Id, result, Fatal: fatal), Json.Options));
            if (fatal)
            {
                return 4;
            }
        }

        return 0;
    }
}
