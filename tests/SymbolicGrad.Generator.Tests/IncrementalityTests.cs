using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymbolicGrad.Generator;

namespace SymbolicGrad.Generator.Tests;

/// <summary>The pipeline caches: unrelated edits regenerate nothing, and its models hold no compiler objects.</summary>
public class IncrementalityTests
{
    private const string Losses = Harness.Usings + "namespace Demo;\npublic static partial class Losses\n{\n    [Differentiable] public static double Loss(double w, double b) => (w - 3) * (w - 3) + 4 * b * b;\n    [Differentiable] public static double Other(double x) => Math.Sin(x) * x;\n}\n";
    private const string Unrelated = "namespace Demo;\npublic class Unrelated\n{\n    public int Value => 1;\n}\n";

    /// <summary>
    /// A method the front end refuses (SG0015: a BCL method outside the rule table, on a differentiated value) and one
    /// the back end refuses (SG0006: a span that a loop re-points every iteration by its counter), so that both diagnostics steps carry values.
    /// </summary>
    private const string Refused = Harness.Usings + "namespace Demo;\npublic static partial class Refused\n{\n"
        + "    [Differentiable] public static double Front(double x) => Math.ReciprocalEstimate(x) * x;\n"
        + "    [Differentiable] public static double Back(double[] a)\n    {\n        double s = 0;\n        ReadOnlySpan<double> v = a;\n"
        + "        for (int i = 0; i < 3; i++)\n        {\n            s += v[0] * v[0];\n            v = v.Slice(i);\n        }\n\n        return s;\n    }\n}\n";

    /// <summary>Every tracked step of the pipeline (DifferentiableGenerator.Steps), so a renamed or added step fails here first.</summary>
    private static readonly string[] TrackedSteps =
    {
        DifferentiableGenerator.Steps.Key, DifferentiableGenerator.Steps.Lower, DifferentiableGenerator.Steps.Generate, DifferentiableGenerator.Steps.Files,
        DifferentiableGenerator.Steps.Diagnostics, DifferentiableGenerator.Steps.BackendDiagnostics,
    };

    /// <summary>The reasons of a step's outputs in the last run.</summary>
    private static List<IncrementalStepRunReason> Reasons(GeneratorRun run, string step) =>
        run.Result.Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();

    private static bool Reused(IncrementalStepRunReason r) => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged;

    private static CSharpCompilation Replace(CSharpCompilation c, int index, string text) =>
        c.ReplaceSyntaxTree(c.SyntaxTrees.ElementAt(index), CSharpSyntaxTree.ParseText(text, Harness.ParseOptions, path: "File" + index + ".cs"));

    [Fact]
    public void TheTrackedStepsAreThePipelinesSteps()
    {
        var names = typeof(DifferentiableGenerator.Steps).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal);
        Assert.Equal(TrackedSteps.Order(StringComparer.Ordinal), names);
        var run = Harness.Run(Harness.Compilation(Losses));
        Assert.All(TrackedSteps, name => Assert.True(run.Result.Results.Single().TrackedSteps.ContainsKey(name), name + " is not tracked"));
    }

    [Fact]
    public void EditingAnUnrelatedFileLeavesEveryOutputCached()
    {
        // A new declaration elsewhere may change how any body binds: every method is lowered again (Key Modified),
        // to the same IR, so nothing after Lower runs.
        var first = Harness.Run(Harness.Compilation(Losses, Unrelated));
        Assert.Equal(2, first.Sources.Count);
        var second = Harness.Run(Replace(first.Input, 1, Unrelated + "public class Added { public double X; }\n"), first.Driver);
        var result = second.Result.Results.Single();
        Assert.All(Reasons(second, DifferentiableGenerator.Steps.Key), r => Assert.Equal(IncrementalStepRunReason.Modified, r));
        foreach (var name in TrackedSteps.Where(n => n != DifferentiableGenerator.Steps.Key))
        {
            var reasons = Reasons(second, name);
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(Reused(r), $"{name}: {r}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void EditingABodyInAnotherFileLowersNothing()
    {
        // A body edit that no [Differentiable] method inlines changes no key: the front end does not run at all.
        const string Other = "namespace Demo;\npublic static class Tools\n{\n    public static int Count() => 1;\n}\n";
        var first = Harness.Run(Harness.Compilation(Losses, Other));
        var warm = Harness.Run(Replace(first.Input, 1, Other), first.Driver);
        var second = Harness.Run(Replace(warm.Input, 1, Other.Replace("=> 1;", "=> 2;")), warm.Driver);
        var keys = Reasons(second, DifferentiableGenerator.Steps.Key);
        Assert.Equal(2, keys.Count);
        Assert.All(keys, r => Assert.True(Reused(r), "Key: " + r));
        foreach (var name in TrackedSteps.Where(n => n != DifferentiableGenerator.Steps.Key))
        {
            Assert.All(Reasons(second, name), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        }

        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void AddingACommentToTheMethodsFileLeavesTheGeneratedFilesUnchanged()
    {
        var first = Harness.Run(Harness.Compilation(Losses, Unrelated));
        var second = Harness.Run(Replace(first.Input, 0, Losses + "// a comment at the end\n"), first.Driver);
        var result = second.Result.Results.Single();
        foreach (var name in new[] { DifferentiableGenerator.Steps.Generate, DifferentiableGenerator.Steps.Files })
        {
            var reasons = result.TrackedSteps[name].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {r}"));
        }

        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void EditingOneMethodRegeneratesItsGradientAndOnlyIts()
    {
        var first = Harness.Run(Harness.Compilation(Losses, Unrelated));
        var second = Harness.Run(Replace(first.Input, 0, Losses.Replace("4 * b * b", "5 * b * b")), first.Driver);
        var result = second.Result.Results.Single();
        var files = Reasons(second, DifferentiableGenerator.Steps.Files);
        Assert.Equal(1, files.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(1, files.Count(r => Reused(r)));

        // The front end ran for the edited method only; the other one's output is the cached value.
        var lower = Reasons(second, DifferentiableGenerator.Steps.Lower);
        Assert.Equal(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached }, lower.Order());

        // The outputs: the one that writes the files (one output over all of them) ran again; the diagnostics' did not.
        var written = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(1, written.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(written.Count - 1, written.Count(r => r == IncrementalStepRunReason.Cached));

        string other = first.Sources.Single(s => s.Key.Contains(".Other.", StringComparison.Ordinal)).Key;
        Assert.Equal(first.Sources[other], second.Sources[other]);
        string loss = first.Sources.Single(s => s.Key.Contains(".Loss.", StringComparison.Ordinal)).Key;
        Assert.NotEqual(first.Sources[loss], second.Sources[loss]);

        // The regenerated gradient is the new function's: ∂(5b²)/∂b = 10b, = 20 at b = 2 (the old one gives 16).
        var type = second.Load().GetType("Demo.Losses")!;
        object?[] args = { 1.0, 2.0, 0.0, 0.0 };
        double value = (double)type.GetMethod("LossGradient")!.Invoke(null, args)!;
        Assert.Equal(4 + 20, value);
        Assert.Equal(2 * (1.0 - 3), (double)args[2]!);
        Assert.Equal(20.0, (double)args[3]!);
    }

    /// <summary>Forty methods in one file; method i is 'x * x * (i + 1)' (its gradient 2x(i + 1)), method 40 calls Helper.</summary>
    private static string Many(int edited, string factor, string helper, string type = "Many")
    {
        var b = new System.Text.StringBuilder(Harness.Usings + "namespace Demo;\npublic static partial class " + type + "\n{\n");
        for (int i = 0; i < 40; i++)
        {
            b.Append("    [Differentiable] public static double F").Append(i).Append("(double x) => x * x * ").Append(i == edited ? factor : (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(";\n");
        }

        b.Append("    [Differentiable] public static double Caller(double x) => 3 * Helper(x);\n");
        b.Append("    private static double Helper(double x)").Append(helper).Append('\n');
        b.Append("    private static double Cube(double x) => x * x * x;\n");
        return b.Append("}\n").ToString();
    }

    private static double Gradient(GeneratorRun run, string method, double x, string typeName = "Many")
    {
        var type = run.Load().GetType("Demo." + typeName)!;
        object?[] args = { x, 0.0 };
        type.GetMethod(method + "Gradient")!.Invoke(null, args);
        return (double)args[1]!;
    }

    [Fact]
    public void EditingOneMethodOfManyLowersItAlone()
    {
        var first = Harness.Run(Harness.Compilation(Many(-1, "", " => x * x;"), Unrelated));
        Assert.Equal(41, first.Sources.Count);

        // A method that inlines a helper is lowered once more at the next edit (its first key could not name the
        // helper yet); a copy of the file is that edit.
        var warm = Harness.Run(Replace(first.Input, 0, Many(-1, "", " => x * x;")), first.Driver);
        var second = Harness.Run(Replace(warm.Input, 0, Many(17, "100", " => x * x;")), warm.Driver);

        // Every key was built again (the file changed), one differs.
        var keys = Reasons(second, DifferentiableGenerator.Steps.Key);
        Assert.Equal(41, keys.Count);
        Assert.Equal(1, keys.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(40, keys.Count(r => r == IncrementalStepRunReason.Unchanged));
        foreach (var step in new[] { DifferentiableGenerator.Steps.Lower, DifferentiableGenerator.Steps.Generate, DifferentiableGenerator.Steps.Files })
        {
            var reasons = Reasons(second, step);
            Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
            Assert.Equal(40, reasons.Count(r => r == IncrementalStepRunReason.Cached));
        }

        var changed = first.Sources.Keys.Where(k => first.Sources[k] != second.Sources[k]).ToList();
        Assert.Equal(new[] { first.Sources.Keys.Single(k => k.Contains(".F17.", StringComparison.Ordinal)) }, changed);

        // d(100x²)/dx = 200x: 400 at x = 2 (before the edit 2·18·2 = 72); F16 keeps 2·17·2 = 68.
        Assert.Equal(400.0, Gradient(second, "F17", 2.0));
        Assert.Equal(68.0, Gradient(second, "F16", 2.0));
    }

    [Fact]
    public void EditingAnInlinedHelperRegeneratesItsCaller()
    {
        // Caller(x) = 3·Helper(x); the helper is no [Differentiable] method, its body is inlined into Caller's gradient.
        // Editing only the helper must give Caller a new gradient: a cached one would be silently wrong.
        var first = Harness.Run(Harness.Compilation(Many(-1, "", " => x * x;", "Inlining"), Unrelated));
        var warm = Harness.Run(Replace(first.Input, 0, Many(-1, "", " => x * x;", "Inlining")), first.Driver);
        Assert.Equal(3 * 2 * 2.0, Gradient(warm, "Caller", 2.0, "Inlining"));

        var second = Harness.Run(Replace(warm.Input, 0, Many(-1, "", " => x * x * x;", "Inlining")), warm.Driver);
        var lower = Reasons(second, DifferentiableGenerator.Steps.Lower);
        Assert.Equal(1, lower.Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(40, lower.Count(r => r == IncrementalStepRunReason.Cached));
        Assert.Equal(3 * 3 * 2.0 * 2.0, Gradient(second, "Caller", 2.0, "Inlining"));

        // The helper now calls another helper, met for the first time in this lowering; editing that one (and only
        // it) must regenerate Caller too.
        var third = Harness.Run(Replace(second.Input, 0, Many(-1, "", " => Cube(x);", "Inlining")), second.Driver);
        Assert.Equal(3 * 3 * 2.0 * 2.0, Gradient(third, "Caller", 2.0, "Inlining"));
        var fourth = Harness.Run(Replace(third.Input, 0, Many(-1, "", " => Cube(x);", "Inlining").Replace("=> x * x * x;", "=> x * x * x * x;")), third.Driver);
        Assert.Equal(1, Reasons(fourth, DifferentiableGenerator.Steps.Lower).Count(r => r == IncrementalStepRunReason.Modified));
        Assert.Equal(3 * 4 * 8.0, Gradient(fourth, "Caller", 2.0, "Inlining"));

        // And in another file: the helper moved to a class of its own, edited there.
        const string Tools = "namespace Demo;\npublic static class Tools\n{\n    public static double Square(double x) => x * x;\n}\n";
        var fifth = Harness.Run(Replace(Replace(fourth.Input, 0, Many(-1, "", " => Tools.Square(x);", "Inlining")), 1, Tools), fourth.Driver);
        var sixth = Harness.Run(Replace(fifth.Input, 1, Tools), fifth.Driver);
        Assert.Equal(3 * 2 * 2.0, Gradient(sixth, "Caller", 2.0, "Inlining"));
        var seventh = Harness.Run(Replace(sixth.Input, 1, Tools.Replace("x * x", "x * x * x")), sixth.Driver);
        Assert.Equal(IncrementalStepRunReason.Modified, Reasons(seventh, DifferentiableGenerator.Steps.Lower).Single(r => r != IncrementalStepRunReason.Cached));
        Assert.Equal(3 * 3 * 2.0 * 2.0, Gradient(seventh, "Caller", 2.0, "Inlining"));
    }

    [Fact]
    public void EditingAConstantInAnotherFileRegeneratesItsReader()
    {
        // A constant is a declaration, not a body: editing it changes every key, and the reader gets the new value.
        const string Scale = "namespace Demo;\npublic static class Scale\n{\n    public const double K = 2;\n}\n";
        string reader = Harness.Usings + "namespace Demo;\npublic static partial class Reader\n{\n    [Differentiable] public static double F(double x) => Scale.K * x * x;\n}\n";
        var first = Harness.Run(Harness.Compilation(reader, Scale));
        var warm = Harness.Run(Replace(first.Input, 1, Scale), first.Driver);
        var second = Harness.Run(Replace(warm.Input, 1, Scale.Replace("K = 2", "K = 5")), warm.Driver);
        Assert.Equal(IncrementalStepRunReason.Modified, Reasons(second, DifferentiableGenerator.Steps.Lower).Single());
        var type = second.Load().GetType("Demo.Reader")!;
        object?[] args = { 3.0, 0.0 };
        Assert.Equal(45.0, (double)type.GetMethod("FGradient")!.Invoke(null, args)!);
        Assert.Equal(2 * 5 * 3.0, (double)args[1]!);
    }

    [Fact]
    public void MovingAMethodMovesItsFrontEndDiagnostic()
    {
        // An edit above the method (a body made longer by a line) changes no declaration and not the method's text;
        // a method the front end refused is keyed with its position, so its diagnostic moves with it.
        string source = Refused.Replace("public static partial class Refused\n{\n", "public static partial class Refused\n{\n    private static int Pad() => 1;\n");
        var first = Harness.Run(Harness.Compilation(source));
        var warm = Harness.Run(Replace(first.Input, 0, source), first.Driver);
        int before = warm.GeneratorDiagnostics.Single(d => d.Id == "SG0015").Location.GetLineSpan().StartLinePosition.Line;
        var second = Harness.Run(Replace(warm.Input, 0, source.Replace("Pad() => 1;", "Pad() =>\n        1;")), warm.Driver);
        Assert.Equal(before + 1, second.GeneratorDiagnostics.Single(d => d.Id == "SG0015").Location.GetLineSpan().StartLinePosition.Line);
        // Both methods reported (one in the front end, one in the back end), so both are keyed with their positions and
        // lowered again when they move.
        Assert.All(Reasons(second, DifferentiableGenerator.Steps.Lower), r => Assert.Equal(IncrementalStepRunReason.Modified, r));
    }

    [Fact]
    public void MovingAMethodMovesItsDiagnostics()
    {
        // Diagnostics are values with a location: after lines are inserted above the methods, both the front end's
        // and the back end's diagnostic must point at the methods' new lines, not where they were.
        var first = Harness.Run(Harness.Compilation(Refused));
        var before = first.GeneratorDiagnostics.Select(d => (d.Id, d.Location.GetLineSpan().StartLinePosition.Line)).Order().ToList();
        Assert.Equal(new[] { "SG0006", "SG0015" }, before.Select(d => d.Id));
        var second = Harness.Run(Replace(first.Input, 0, Refused.Replace("namespace Demo;\n", "namespace Demo;\n\n// two lines\n// above\n")), first.Driver);
        var after = second.GeneratorDiagnostics.Select(d => (d.Id, d.Location.GetLineSpan().StartLinePosition.Line)).Order().ToList();
        Assert.Equal(before.Select(d => (d.Id, d.Line + 3)), after);
    }

    [Fact]
    public void PipelineModelsHoldNoCompilerObjects()
    {
        var run = Harness.Run(Harness.Compilation(Losses, Unrelated, Refused));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SG0015");
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SG0006");
        var result = run.Result.Results.Single();
        foreach (var name in TrackedSteps)
        {
            int walked = 0;
            foreach (var output in result.TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                walked += AssertNoCompilerObjects(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }

            Assert.True(walked > 0, $"{name}: walked no objects");
        }
    }

    private static int AssertNoCompilerObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return 0;
        }

        Assert.False(
            value is Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or IOperation or Location or SyntaxReference
                || value.GetType().Namespace?.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) == true && value.GetType().Name is not ("TextSpan" or "LinePositionSpan" or "LinePosition"),
            $"{path} holds a {value.GetType().FullName}");
        int count = 1;
        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (var item in items)
            {
                count += AssertNoCompilerObjects(item, path + "[" + i++ + "]", seen);
            }
        }

        for (var type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                {
                    continue;
                }

                count += AssertNoCompilerObjects(field.GetValue(value), path + "." + field.Name, seen);
            }
        }

        return count;
    }
}
