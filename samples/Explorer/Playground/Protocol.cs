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

    /// <summary>The C# file: one or more [Differentiable] methods in partial types.</summary>
    public string Source { get; init; } = "";

    /// <summary>The method to run (its name); default: the first [Differentiable] method.</summary>
    public string? Entry { get; init; }

    /// <summary>The view of a two-parameter landscape; default [−3, 3]².</summary>
    public Box? Box { get; init; }

    /// <summary>Where the walks start and the gradient check is made; default (−1.2, 1.1, 0.7, …) cut to the dimension.</summary>
    public double[]? Start { get; init; }

    /// <summary>The landscape grid side (default 90).</summary>
    public int? GridSize { get; init; }

    /// <summary>Steps of each walk (default 150).</summary>
    public int? Steps { get; init; }

    /// <summary>The optimizers to walk (default: gradient descent, momentum, Adam, RMSprop, Adagrad, L-BFGS).</summary>
    public OptimizerSpec[]? Optimizers { get; init; }

    /// <summary>The shortest wall-clock limit a request may ask for (seconds).</summary>
    public const double MinTimeLimitSeconds = 0.5;

    /// <summary>A wall-clock limit shorter than the server's (seconds, at least <see cref="MinTimeLimitSeconds"/>); null or longer: the server's.</summary>
    public double? TimeLimitSeconds { get; init; }

    /// <summary>The length given to each array parameter (NameObjective(int length) arguments); default 2.</summary>
    public int? ArrayLength { get; init; }
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
public sealed record WorkerReply(long Id, PlaygroundResult? Result, bool Ready = false, double WarmupMs = 0, bool Fatal = false, string? Phase = null);
