using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using SymbolicGrad.Explorer.Labs;

namespace SymbolicGrad.Explorer.Playground;

/// <summary>JSON settings shared by the server, the worker and the page: camelCase, NaN and ±∞ as strings, never an exception for them.</summary>
public static class Json
{
    /// <summary>The options.</summary>
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the Explorer's settings to <paramref name="options"/> (also used for ASP.NET Core's own).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        // ∂, ·, − and friends as themselves (the answers are JSON, never inlined into HTML).
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }
}

/// <summary>What the page sends to compile and run a loss.</summary>
public sealed record PlaygroundRequest
{
    /// <summary>The largest source accepted, in characters.</summary>
    public const int MaxSourceLength = 32 * 1024;

    /// <summary>The C# file: one or more [Differentiable] methods in partial types. Null when the request did not give it (a 400).</summary>
    public string Source { get; init; } = null!;

    /// <summary>The method to run (its name); default: the first [Differentiable] method.</summary>
    public string? Entry { get; init; }

    /// <summary>The view of a two-parameter landscape; default [−3, 3]².</summary>
    public Box? Box { get; init; }

    /// <summary>Where the walks start and the gradient check is made; default (−1.2, 1.1, 0.7, …) cut to the dimension.</summary>
    public double[]? Start { get; init; }

    // The counts below are read as numbers, not ints, so that 1e6 or 2.5 is answered "gridSize must be a whole number
    // from 2 to 200, not 1000000" rather than with the JSON reader's message about Nullable`1[System.Int32].

    /// <summary>The landscape grid side (default 90): a whole number from 2 to <see cref="Grid.MaxSide"/>.</summary>
    public double? GridSize { get; init; }

    /// <summary>Steps of each walk (default 150): a whole number from 1 to <see cref="MaxSteps"/>.</summary>
    public double? Steps { get; init; }

    /// <summary>The optimizers to walk (default: gradient descent, momentum, Adam, RMSprop, Adagrad, L-BFGS).</summary>
    public OptimizerSpec[]? Optimizers { get; init; }

    /// <summary>The shortest wall-clock limit a request may ask for (seconds).</summary>
    public const double MinTimeLimitSeconds = 0.5;

    /// <summary>A wall-clock limit shorter than the server's (seconds, at least <see cref="MinTimeLimitSeconds"/>); null or longer: the server's.</summary>
    public double? TimeLimitSeconds { get; init; }

    /// <summary>The length given to each array parameter (NameObjective(int length) arguments); default 2; a whole number from 1 to <see cref="MaxArrayLength"/>.</summary>
    public double? ArrayLength { get; init; }

    /// <summary>The default grid side of a two-parameter landscape.</summary>
    public const int DefaultGridSize = 90;

    /// <summary>The default steps of each walk.</summary>
    public const int DefaultSteps = 150;

    /// <summary>The most steps of a playground walk.</summary>
    public const int MaxSteps = 1000;

    /// <summary>The most optimizers one playground request may walk.</summary>
    public const int MaxOptimizers = 12;

    /// <summary>The longest array length (<see cref="ArrayLength"/>).</summary>
    public const int MaxArrayLength = 64;

    /// <summary>
    /// What is wrong with the request's fields, as a message naming the field and what it may be, or null when nothing
    /// is. The server answers such a request with a 400 (nothing is silently replaced by a default or clamped). The
    /// length of <see cref="Start"/> is checked in the worker, once the number of parameters is known.
    /// </summary>
    public string? Problem()
    {
        if (Source is null)
        {
            return "'source' is missing: the body must be a JSON object with a 'source' string (the C# file to compile).";
        }

        if (OutOfRange(GridSize, 2, Grid.MaxSide) is { } grid)
        {
            return $"gridSize must be a whole number from 2 to {Grid.MaxSide} (points a side of the map), not {grid}.";
        }

        if (OutOfRange(Steps, 1, MaxSteps) is { } steps)
        {
            return $"steps must be a whole number from 1 to {MaxSteps} in the playground, not {steps}.";
        }

        if (OutOfRange(ArrayLength, 1, MaxArrayLength) is { } length)
        {
            return $"arrayLength must be a whole number from 1 to {MaxArrayLength}, not {length}.";
        }

        if (Start is { } start)
        {
            if (start.Length == 0)
            {
                return "start is empty: give one finite number per parameter, or leave start out for the default start.";
            }

            int bad = Array.FindIndex(start, v => !double.IsFinite(v));
            if (bad >= 0)
            {
                return $"start[{bad}] is {start[bad].ToString(System.Globalization.CultureInfo.InvariantCulture)}: every component of start must be a finite number (or leave start out for the default start).";
            }
        }

        if (TimeLimitSeconds is double limit && !(limit >= MinTimeLimitSeconds))
        {
            return $"timeLimitSeconds must be at least {MinTimeLimitSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} (a worker stopped sooner is replaced, at a cost of seconds); got {limit.ToString(System.Globalization.CultureInfo.InvariantCulture)}.";
        }

        if (Box is { } box)
        {
            try
            {
                box.Validate();
            }
            catch (ArgumentException e)
            {
                return "box: " + e.Message.Split(" (Parameter", 2)[0];
            }
        }

        if (Optimizers is { } optimizers)
        {
            if (optimizers.Length > MaxOptimizers)
            {
                return $"optimizers has {optimizers.Length} entries; the playground walks from 1 to {MaxOptimizers} (or leave it out for the six defaults).";
            }

            for (int i = 0; i < optimizers.Length; i++)
            {
                if (optimizers[i] is not { } spec)
                {
                    return $"optimizers[{i}] is null.";
                }

                try
                {
                    // The optimizers' own validation: an unknown kind, a learning rate or β out of range.
                    _ = spec.IsLbfgs ? (object)spec.CreateLbfgs() : spec.Create();
                }
                catch (ArgumentException e)
                {
                    // The message without ArgumentException's " (Parameter 'learningRate')" and "Actual value was …".
                    string message = e.Message.Split(" (Parameter", 2)[0].Split('\n', 2)[0];
                    return $"optimizers[{i}]: {message}" + (e is ArgumentOutOfRangeException { ActualValue: { } v } ? $" (got {Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)})" : "");
                }
            }
        }

        return null;
    }

    /// <summary>The value as written in a message when it is given and not a whole number from min to max; otherwise null.</summary>
    private static string? OutOfRange(double? value, int min, int max) =>
        value is double v && !(v >= min && v <= max && v == Math.Floor(v))
            ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
            : null;
}

/// <summary>A compiler or generator diagnostic, placed at its line in the user's file (1-based lines and columns).</summary>
/// <param name="Id">CS0103, SG0006…</param>
/// <param name="Severity">error, warning or info.</param>
/// <param name="Message">The message.</param>
/// <param name="Line">Start line.</param>
/// <param name="Column">Start column.</param>
/// <param name="EndLine">End line.</param>
/// <param name="EndColumn">End column.</param>
/// <param name="File">null for the user's file, otherwise the generated file's name.</param>
public sealed record DiagnosticInfo(string Id, string Severity, string Message, int Line, int Column, int EndLine, int EndColumn, string? File);

/// <summary>A [Differentiable] method found in the source.</summary>
/// <param name="Name">The method name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Parameters">The parameters as written.</param>
/// <param name="Generated">The generated file (gradient and objective), or null when the generator refused the method.</param>
public sealed record FunctionInfo(string Name, string Type, string[] Parameters, string? Generated);

/// <summary>One row of the gradient-check table.</summary>
public sealed record CheckRow(string Name, double X, double Analytic, double Numeric, double AbsoluteError, double RelativeError, double Tolerance, bool Passed);

/// <summary>The gradient check (<c>GradientCheck.Check</c>) at the start point, and how many other points passed.</summary>
/// <param name="Passed">True when the check at the start point passed.</param>
/// <param name="Value">f at the start point.</param>
/// <param name="Rows">One row per parameter.</param>
/// <param name="Text">The check's own printed table.</param>
/// <param name="PointsChecked">Points checked in all (the start and seeded points around it).</param>
/// <param name="PointsPassed">How many of them passed.</param>
public sealed record CheckInfo(bool Passed, double Value, CheckRow[] Rows, string Text, int PointsChecked, int PointsPassed);

/// <summary>Milliseconds spent in each phase, in the worker, and around it on the server.</summary>
public sealed record Timings
{
    /// <summary>Parse, run the generator, collect diagnostics.</summary>
    public double Generate { get; init; }

    /// <summary>Emit IL.</summary>
    public double Emit { get; init; }

    /// <summary>Load, check, grid and walks (user code runs here).</summary>
    public double Run { get; init; }

    /// <summary>Total inside the worker.</summary>
    public double Worker { get; init; }

    /// <summary>Waiting for a free worker (server).</summary>
    public double Queue { get; init; }

    /// <summary>The whole request on the server, queue included.</summary>
    public double Total { get; init; }

    /// <summary>True when the answer came from the server's cache of identical requests.</summary>
    public bool Cached { get; init; }
}

/// <summary>What the playground answers.</summary>
public sealed record PlaygroundResult
{
    /// <summary>True when the code compiled and the entry ran.</summary>
    public bool Ok { get; init; }

    /// <summary>What went wrong beyond diagnostics: a timeout, the memory limit, a crash, an exception of the loss, an unsupported signature.</summary>
    public string? Error { get; init; }

    /// <summary>timeout, memory, crash, runtime, unsupported, busy, or null.</summary>
    public string? ErrorKind { get; init; }

    /// <summary>Every error and warning of the compilation and the generator.</summary>
    public DiagnosticInfo[] Diagnostics { get; init; } = [];

    /// <summary>Every [Differentiable] method.</summary>
    public FunctionInfo[] Functions { get; init; } = [];

    /// <summary>The method that ran.</summary>
    public string? Entry { get; init; }

    /// <summary>Its parameter names (the objective's vector).</summary>
    public string[]? ParameterNames { get; init; }

    /// <summary>Its derivative formulas (<c>DifferentiableFunction.Derivatives</c>).</summary>
    public string[]? Derivatives { get; init; }

    /// <summary>The start point used.</summary>
    public double[]? Start { get; init; }

    /// <summary>The gradient check.</summary>
    public CheckInfo? Check { get; init; }

    /// <summary>The view box (two parameters only).</summary>
    public Box? Box { get; init; }

    /// <summary>The landscape (two parameters only).</summary>
    public GridValues? Landscape { get; init; }

    /// <summary>The optimizer walks from the start point.</summary>
    public Walk[] Walks { get; init; } = [];

    /// <summary>Where the time went.</summary>
    public Timings Timings { get; init; } = new();

    /// <summary>The worker that answered (a counter), for the curious and the tests.</summary>
    public int Worker { get; init; }
}

/// <summary>A line from the server to a worker.</summary>
/// <param name="Id">Echoed in the answer.</param>
/// <param name="Job">The request.</param>
public sealed record WorkerCommand(long Id, PlaygroundRequest Job);

/// <summary>A line from a worker to the server: the answer to a command, or the ready signal (Id 0).</summary>
/// <param name="Id">The command's id (0 for the ready signal).</param>
/// <param name="Result">The answer.</param>
/// <param name="Ready">True on the ready line.</param>
/// <param name="WarmupMs">On the ready line: how long the warm-up took.</param>
/// <param name="Fatal">The worker is about to exit (after an out-of-memory): do not reuse it.</param>
/// <param name="Phase">A progress line, not an answer: "run" when the worker has compiled the code and starts running it
/// (so that a timeout can say whether compiling or running took too long).</param>
/// <param name="Settled">A line after the answer: the worker has checked that nothing of the job's code is left (it is
/// ready for the next job), or found that something is (<paramref name="Leftover"/>).</param>
/// <param name="Leftover">On the settled line: what the code left behind (a thread, task or timer still holding its
/// assembly), or null when nothing. The server then replaces the worker.</param>
/// <param name="SettleMs">On the settled line: how long the check took.</param>
public sealed record WorkerReply(
    long Id,
    PlaygroundResult? Result,
    bool Ready = false,
    double WarmupMs = 0,
    bool Fatal = false,
    string? Phase = null,
    bool Settled = false,
    string? Leftover = null,
    double SettleMs = 0);
