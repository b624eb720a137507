using System.Collections.Immutable;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SymbolicGrad.Explorer.Labs;
using SymbolicGrad.Generator;

namespace SymbolicGrad.Explorer.Playground;

/// <summary>
/// Compiles playground code with Roslyn and SymbolicGrad's generator (run in-process through
/// <see cref="CSharpGeneratorDriver"/>), loads it into a collectible <see cref="AssemblyLoadContext"/>, and runs the
/// entry's generated objective: the gradient check, the landscape and the optimizer walks. Runs in the worker
/// process only: the user's code executes here.
/// </summary>
public static class PlaygroundCompiler
{
    /// <summary>The file name diagnostics of the user's code refer to.</summary>
    public const string FileName = "Loss.cs";

    /// <summary>The default optimizers of a playground walk.</summary>
    public static readonly OptimizerSpec[] DefaultOptimizers =
    [
        new() { Kind = "gd", LearningRate = 0.01 },
        new() { Kind = "momentum", LearningRate = 0.01 },
        new() { Kind = "adam", LearningRate = 0.1 },
        new() { Kind = "rmsprop", LearningRate = 0.01 },
        new() { Kind = "adagrad", LearningRate = 0.5 },
        new() { Kind = "lbfgs" },
    ];

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly SyntaxTree GlobalUsings = CSharpSyntaxTree.ParseText(
        "global using System;\nglobal using SymbolicGrad;\n", ParseOptions, path: "GlobalUsings.g.cs");

    private static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        optimizationLevel: OptimizationLevel.Release,
        nullableContextOptions: NullableContextOptions.Disable,
        concurrentBuild: false,
        deterministic: true);

    // The reference set of a playground file: the core library and its facades, and SymbolicGrad's runtime.
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        var wanted = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "System.Private.CoreLib.dll", "System.Runtime.dll", "netstandard.dll", "System.Collections.dll", "System.Linq.dll",
            "System.Memory.dll", "System.Runtime.Intrinsics.dll", "System.Numerics.Vectors.dll", "System.Runtime.Numerics.dll",
            "System.Console.dll",
        };
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(p => wanted.Contains(Path.GetFileName(p)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
            .ToArray();
    });

    private static readonly ISourceGenerator Generator = new DifferentiableGenerator().AsSourceGenerator();

    // Roslyn shares the symbols of referenced assemblies (System.Private.CoreLib's types and their members, bound
    // lazily and at great cost) between compilations through weak references. The worker forces full collections after
    // each job (to see that the job's code has unloaded), which would throw them away and make the next compilation
    // twice as slow: one compilation held here keeps them.
    private static Compilation? _keepsReferenceSymbols;

    /// <summary>Compiles and runs <paramref name="request"/>; every problem comes back in the result, never as an exception (but out-of-memory).</summary>
    /// <param name="request">The request.</param>
    /// <param name="running">Called once the code is compiled, just before the user's code starts to run.</param>
    public static PlaygroundResult Run(PlaygroundRequest request, Action? running = null) => Run(request, running, out _);

    /// <summary>Compiles and runs <paramref name="request"/>, and says where its code was loaded.</summary>
    /// <param name="request">The request.</param>
    /// <param name="running">Called once the code is compiled, just before the user's code starts to run.</param>
    /// <param name="loaded">A weak reference to the (unloaded) <see cref="AssemblyLoadContext"/> the code ran in, or null
    /// when no code was loaded. It stays alive while anything of the code is: a thread or task still running it, a timer
    /// or event handler holding a delegate to it.</param>
    public static PlaygroundResult Run(PlaygroundRequest request, Action? running, out WeakReference? loaded)
    {
        loaded = null;
        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        if (request.Problem() is { } problem)
        {
            return new PlaygroundResult { ErrorKind = "request", Error = problem };
        }

        if (request.Source.Length > PlaygroundRequest.MaxSourceLength)
        {
            return new PlaygroundResult
            {
                ErrorKind = "unsupported",
                Error = $"The source has {request.Source.Length} characters; the playground takes at most {PlaygroundRequest.MaxSourceLength}.",
            };
        }

        var tree = CSharpSyntaxTree.ParseText(SourceText.From(request.Source, System.Text.Encoding.UTF8), ParseOptions, path: FileName);
        var compilation = CSharpCompilation.Create("Playground" + Guid.NewGuid().ToString("N"), [GlobalUsings, tree], References.Value, CompilationOptions);
        var driver = CSharpGeneratorDriver.Create([Generator], parseOptions: ParseOptions);
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        _keepsReferenceSymbols ??= output;
        var diagnostics = Collect(tree, generatorDiagnostics.Concat(output.GetDiagnostics()));
        var functions = FindFunctions(output, tree);
        double generateMs = clock.Elapsed.TotalMilliseconds;

        var result = new PlaygroundResult { Diagnostics = diagnostics, Functions = functions.Select(f => f.Info).ToArray() };
        if (diagnostics.Any(d => d.Severity == "error"))
        {
            return result with { Timings = new Timings { Generate = generateMs, Worker = total.Elapsed.TotalMilliseconds } };
        }

        if (functions.Count == 0)
        {
            return result with
            {
                ErrorKind = "unsupported",
                Error = "No [Differentiable] method found: mark a static method of a partial class with [Differentiable].",
                Timings = new Timings { Generate = generateMs, Worker = total.Elapsed.TotalMilliseconds },
            };
        }

        clock.Restart();
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        double emitMs = clock.Elapsed.TotalMilliseconds;
        if (!emit.Success)
        {
            return result with
            {
                Diagnostics = Collect(tree, emit.Diagnostics),
                Timings = new Timings { Generate = generateMs, Emit = emitMs, Worker = total.Elapsed.TotalMilliseconds },
            };
        }

        clock.Restart();
        var entry = request.Entry is null ? functions[0] : functions.FirstOrDefault(f => f.Info.Name == request.Entry) ?? functions[0];
        var context = new AssemblyLoadContext("playground", isCollectible: true);
        loaded = new WeakReference(context);
        running?.Invoke();
        try
        {
            stream.Position = 0;
            var assembly = context.LoadFromStream(stream);
            result = Execute(result with { Entry = entry.Info.Name }, request, assembly, entry);
        }
        finally
        {
            context.Unload();
        }

        return result with
        {
            Timings = new Timings { Generate = generateMs, Emit = emitMs, Run = clock.Elapsed.TotalMilliseconds, Worker = total.Elapsed.TotalMilliseconds },
        };
    }

    private static PlaygroundResult Execute(PlaygroundResult result, PlaygroundRequest request, Assembly assembly, FoundFunction entry)
    {
        DifferentiableFunction f;
        try
        {
            f = Objective(assembly, entry, (int)(request.ArrayLength ?? 2));
        }
        catch (ArgumentException e)
        {
            return result with { ErrorKind = "unsupported", Error = e.Message };
        }
        catch (TargetInvocationException e) when (e.InnerException is not null && !IsOutOfMemory(e))
        {
            return result with { ErrorKind = "runtime", Error = Describe(e.InnerException) };
        }
        catch (Exception e) when (!IsOutOfMemory(e))
        {
            // Anything else reflection throws here is an answer too: an exception that left the worker ended it, and the
            // page then blamed the user's code for a crash ("a stack overflow (endless recursion?)").
            return result with { ErrorKind = "runtime", Error = Describe(e) };
        }

        result = result with { ParameterNames = f.ParameterNames.ToArray(), Derivatives = f.Derivatives.ToArray() };
        if (request.Start is { } given && given.Length != f.Dimension)
        {
            // Not replaced by the default start: the caller asked for a point, and would be shown walks from another one.
            string names = string.Join(", ", f.ParameterNames.Take(8)) + (f.Dimension > 8 ? ", …" : "");
            return result with
            {
                ErrorKind = "request",
                Error = $"start has {given.Length} value{(given.Length == 1 ? "" : "s")} but {entry.Info.Name} has {f.Dimension} parameters ({names}): " +
                        $"give {f.Dimension} finite numbers, or leave start out for the default start.",
            };
        }

        double[] start = request.Start ?? Enumerable.Range(0, f.Dimension).Select(i => DefaultStart[i % DefaultStart.Length]).ToArray();
        result = result with { Start = start };
        try
        {
            result = result with { Check = Check(f, start) };
            if (f.Dimension == 2)
            {
                var box = (request.Box ?? new Box(-3, 3, -3, 3)).Validate();
                result = result with { Box = box, Landscape = Grid.Evaluate(f, box, (int)(request.GridSize ?? PlaygroundRequest.DefaultGridSize)) };
            }

            // Out-of-range values were refused before (PlaygroundRequest.Problem), not clamped.
            int steps = (int)(request.Steps ?? PlaygroundRequest.DefaultSteps);
            var specs = request.Optimizers is { Length: > 0 } o ? o : DefaultOptimizers;
            // The page draws points and values; the gradients along the walks stay here (a third of the answer's size).
            result = result with { Walks = specs.Select(spec => Walker.Run(f, start, spec, steps) with { Gradients = [], State = null }).ToArray() };
            return result with { Ok = true };
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            throw;
        }
        catch (ArgumentException e) when (e.TargetSite?.DeclaringType?.Assembly != assembly)
        {
            return result with { ErrorKind = "unsupported", Error = e.Message };
        }
        catch (Exception e)
        {
            return result with { ErrorKind = "runtime", Error = Describe(e) };
        }
    }

    /// <summary>True when <paramref name="e"/> or an exception inside it (a type initializer, a reflection call) is an out-of-memory.</summary>
    public static bool IsOutOfMemory(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is OutOfMemoryException)
            {
                return true;
            }
        }

        return false;
    }

    private static readonly double[] DefaultStart = [-1.2, 1.1, 0.7, -0.4, 0.9, -0.8];

    private static CheckInfo Check(DifferentiableFunction f, double[] start)
    {
        var first = GradientCheck.Check(f, start);
        var rows = first.Components.Select(c => new CheckRow(c.Name, start[c.Index], c.Analytic, c.Numeric, c.AbsoluteError, c.RelativeError, c.Tolerance, c.Passed)).ToArray();

        // And at seeded points around the start, so that a gradient right only at one point does not pass unnoticed.
        var random = new Random(7);
        int passed = first.Passed ? 1 : 0;
        const int extra = 7;
        for (int k = 0; k < extra; k++)
        {
            var p = start.Select(v => v + (random.NextDouble() - 0.5) * Math.Max(1, Math.Abs(v))).ToArray();
            if (GradientCheck.Check(f, p).Passed)
            {
                passed++;
            }
        }

        return new CheckInfo(first.Passed, first.Value, rows, first.ToString(), extra + 1, passed);
    }

    private static DifferentiableFunction Objective(Assembly assembly, FoundFunction entry, int arrayLength)
    {
        var type = assembly.GetType(entry.MetadataTypeName)
            ?? throw new ArgumentException($"The type {entry.Info.Type} was not found in the compiled code.");
        if (type.ContainsGenericParameters)
        {
            throw new ArgumentException(
                $"{entry.Info.Name} is a method of the generic type {entry.Info.Type}: the playground runs methods of non-generic types; move it to a non-generic partial class.");
        }

        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
        // A jagged matrix parameter gets two objectives, NameObjective(int[] wRowLengths) and NameObjective(int wRows, int
        // wColumns): take the one whose arguments are all lengths (GetMethod(name) threw AmbiguousMatchException here).
        var candidates = type.GetMethods(all).Where(m => m.Name == entry.Info.Name + "Objective").ToArray();
        var method = candidates.FirstOrDefault(m => m.GetParameters().All(p => p.ParameterType == typeof(int))) ?? candidates.FirstOrDefault();
        if (method is null)
        {
            throw new ArgumentException(type.GetMethods(all).Any(m => m.Name == entry.Info.Name + "Jacobian")
                ? $"{entry.Info.Name} is a vector-valued function (it returns void and writes its results into a span): the playground runs losses that return a double."
                : $"The generator wrote no {entry.Info.Name}Objective.");
        }

        var parameters = method.GetParameters();
        var arguments = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].ParameterType != typeof(int))
            {
                throw new ArgumentException(
                    $"{entry.Info.Name} has the data parameter '{parameters[i].Name}': the playground runs losses whose parameters are all " +
                    "differentiable (double, or double[] of a given length); put data in a static field of the class.");
            }

            if (arrayLength < 1 || arrayLength > PlaygroundRequest.MaxArrayLength)
            {
                throw new ArgumentException($"arrayLength must be from 1 to {PlaygroundRequest.MaxArrayLength}, not {arrayLength}.");
            }

            arguments[i] = arrayLength;
        }

        object? target = null;
        if (!method.IsStatic)
        {
            // A struct always has its parameterless constructor (GetConstructor does not list the implicit one).
            if (type.IsAbstract || (!type.IsValueType && type.GetConstructor(Type.EmptyTypes) is null))
            {
                throw new ArgumentException($"{entry.Info.Name} is an instance method and {entry.Info.Type} has no public parameterless constructor: make it static.");
            }

            target = Activator.CreateInstance(type);
        }

        if (method.Invoke(target, arguments) is not DifferentiableFunction f)
        {
            throw new ArgumentException($"{entry.Info.Name}Objective did not return a DifferentiableFunction.");
        }

        if (f.Dimension < 2)
        {
            throw new ArgumentException($"{entry.Info.Name} has {f.Dimension} differentiable parameter; the playground needs two or more.");
        }

        return f;
    }

    private static string Describe(Exception e)
    {
        var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
        var frame = new StackTrace(inner, fNeedFileInfo: false).GetFrames().FirstOrDefault(fr => fr.GetMethod()?.DeclaringType?.Assembly.IsCollectible == true);
        string where = frame?.GetMethod() is { } m ? $" in {m.DeclaringType?.Name}.{m.Name}" : "";
        return $"{inner.GetType().Name}{where}: {inner.Message}";
    }

    private sealed record FoundFunction(FunctionInfo Info, string MetadataTypeName);

    private static List<FoundFunction> FindFunctions(Compilation output, SyntaxTree tree)
    {
        var model = output.GetSemanticModel(tree);
        var list = new List<FoundFunction>();
        foreach (var declaration in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
        {
            if (declaration.AttributeLists.Count == 0 || model.GetDeclaredSymbol(declaration) is not IMethodSymbol method)
            {
                continue;
            }

            if (!method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "SymbolicGrad.DifferentiableAttribute"))
            {
                continue;
            }

            var type = method.ContainingType;
            string? generated = null;
            var gradient = type.GetMembers(method.Name + "Gradient").FirstOrDefault();
            var reference = gradient?.DeclaringSyntaxReferences.FirstOrDefault();
            if (reference is not null && reference.SyntaxTree != tree)
            {
                generated = reference.SyntaxTree.GetText().ToString().ReplaceLineEndings("\n");
            }

            var info = new FunctionInfo(
                method.Name,
                type.ToDisplayString(),
                method.Parameters.Select(p => p.ToDisplayString()).ToArray(),
                generated);
            list.Add(new FoundFunction(info, MetadataName(type)));
        }

        return list;
    }

    private static string MetadataName(INamedTypeSymbol type)
    {
        string name = type.MetadataName;
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.MetadataName + "+" + name;
        }

        var ns = type.ContainingNamespace;
        return ns is null || ns.IsGlobalNamespace ? name : ns.ToDisplayString() + "." + name;
    }

    private static DiagnosticInfo[] Collect(SyntaxTree user, IEnumerable<Diagnostic> diagnostics)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<DiagnosticInfo>();
        foreach (var d in diagnostics)
        {
            if (d.Severity is DiagnosticSeverity.Hidden or DiagnosticSeverity.Info || d.IsSuppressed)
            {
                continue;
            }

            var span = d.Location.GetLineSpan();
            string? file = null;
            if (d.Location.IsInSource && d.Location.SourceTree != user)
            {
                file = Path.GetFileName(d.Location.SourceTree?.FilePath ?? "generated.cs");
            }
            else if (!d.Location.IsInSource && !(d.Location.Kind == LocationKind.ExternalFile && span.Path == user.FilePath))
            {
                // The generator's diagnostics are values (a path and a span, no syntax tree) and arrive as external-file
                // locations: those in the user's file are the user's (they were all "(no location)", listed but never
                // underlined in the editor).
                file = "(no location)";
            }

            var info = new DiagnosticInfo(
                d.Id,
                d.Severity == DiagnosticSeverity.Error ? "error" : "warning",
                d.GetMessage(System.Globalization.CultureInfo.InvariantCulture),
                span.StartLinePosition.Line + 1,
                span.StartLinePosition.Character + 1,
                span.EndLinePosition.Line + 1,
                span.EndLinePosition.Character + 1,
                file);
            if (seen.Add(info.ToString()))
            {
                list.Add(info);
            }
        }

        return list.OrderBy(d => d.File is null ? 0 : 1).ThenBy(d => d.Line).ThenBy(d => d.Column).ToArray();
    }
}
