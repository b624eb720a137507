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

    /// <summary>The largest answer a worker writes, in UTF-8 bytes; a larger one is replaced by a message saying so.</summary>
    public const int MaxAnswerBytes = 8 << 20;

    // The worker's own messages (the server prints the first lines of a job's stderr). Console.Error itself is
    // TextWriter.Null while user code may run: what the code writes to the console is discarded.
    private static TextWriter _log = TextWriter.Null;

    private static void Warm(PlaygroundRequest request)
    {
        var result = PlaygroundCompiler.Run(request);
        if (!result.Ok)
        {
            // The warm-up losses must compile and run; say so (the server prints the worker's stderr) if they stop doing so.
            _log.WriteLine($"warm-up of {request.Entry ?? "Loss"} did not run: {result.Error} {string.Join("; ", result.Diagnostics.Select(d => d.Id + " " + d.Message))}");
        }
    }

    /// <summary>Runs the worker loop until stdin closes.</summary>
    public static int Run()
    {
        // The protocol owns the real stdout; whatever user code writes to Console goes nowhere.
        var protocol = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var input = new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        _log = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        Console.SetOut(TextWriter.Null);
        Console.SetError(TextWriter.Null);
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
                _log.WriteLine("worker: unreadable command");
                return 3;
            }

            PlaygroundResult result;
            bool fatal = false;
            WeakReference? loaded = null;
            try
            {
                result = PlaygroundCompiler.Run(command.Job, () => protocol.WriteLine(JsonSerializer.Serialize(new WorkerReply(command.Id, null, Phase: "run"), Json.Options)), out loaded);
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

            protocol.WriteLine(Answer(command.Id, result, fatal));
            if (fatal)
            {
                return 4;
            }

            // The answer is out; before the next job, make sure nothing of this job's code is left running or waiting
            // to run (a Task.Run loop, a thread, a timer): the time limit only covers the job itself.
            var settle = Stopwatch.StartNew();
            string? leftover = Leftover(loaded);
            loaded = null;
            protocol.WriteLine(JsonSerializer.Serialize(new WorkerReply(command.Id, null, Settled: true, Leftover: leftover, SettleMs: settle.Elapsed.TotalMilliseconds), Json.Options));
            if (leftover is not null)
            {
                // The server kills this worker (and whatever the code left running) and starts another; wait for it.
                Thread.Sleep(Timeout.Infinite);
            }
        }

        return 0;
    }

    /// <summary>The answer line, or, when it would be longer than <see cref="MaxAnswerBytes"/>, an answer saying so.</summary>
    private static string Answer(long id, PlaygroundResult result, bool fatal)
    {
        string line = JsonSerializer.Serialize(new WorkerReply(id, result, Fatal: fatal), Json.Options);
        int bytes = Encoding.UTF8.GetByteCount(line);
        if (bytes <= MaxAnswerBytes)
        {
            return line;
        }

        var small = new PlaygroundResult
        {
            ErrorKind = "unsupported",
            Error = $"The answer would be {bytes / (1024.0 * 1024):0.#} MB, more than the playground's {MaxAnswerBytes >> 20} MB: " +
                    "ask for fewer steps, fewer optimizers or a smaller map, or use fewer parameters (a shorter arrayLength).",
            Diagnostics = result.Diagnostics.Length <= 200 ? result.Diagnostics : result.Diagnostics[..200],
            Entry = result.Entry,
            Timings = result.Timings,
        };
        return JsonSerializer.Serialize(new WorkerReply(id, small, Fatal: fatal), Json.Options);
    }

    /// <summary>
    /// Null when the job's collectible load context has unloaded (or no code was loaded); otherwise what kept it: a
    /// thread still running the code (every frame of its methods holds its assembly), or a delegate to the code held by
    /// the runtime (a timer, a thread-pool item, an event handler) that could run it later.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static string? Leftover(WeakReference? loaded)
    {
        if (loaded is null)
        {
            return null;
        }

        // Unloading takes a few collections (the assembly's loader allocator is freed in stages); 10 is what the
        // runtime's documentation uses for an unload that completes.
        for (int i = 0; loaded.IsAlive && i < 10; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return loaded.IsAlive
            ? "the code left work behind after it returned (a thread, a task or a timer still running it or holding it)"
            : null;
    }
}
