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

    private static readonly string[] TrackedSteps =
    {
        DifferentiableGenerator.Steps.Lower, DifferentiableGenerator.Steps.Generate, DifferentiableGenerator.Steps.Files, DifferentiableGenerator.Steps.Diagnostics,
    };

    private static CSharpCompilation Replace(CSharpCompilation c, int index, string text) =>
        c.ReplaceSyntaxTree(c.SyntaxTrees.ElementAt(index), CSharpSyntaxTree.ParseText(text, Harness.ParseOptions, path: "File" + index + ".cs"));

    [Fact]
    public void EditingAnUnrelatedFileLeavesEveryOutputCached()
    {
        var first = Harness.Run(Harness.Compilation(Losses, Unrelated));
        Assert.Equal(2, first.Sources.Count);
        var second = Harness.Run(Replace(first.Input, 1, Unrelated + "public class Added { public double X; }\n"), first.Driver);
        var result = second.Result.Results.Single();
        foreach (var name in TrackedSteps)
        {
            var reasons = result.TrackedSteps[name].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
            Assert.NotEmpty(reasons);
            Assert.All(reasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {r}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void AddingACommentToTheMethodsFileLeavesTheGeneratedFilesUnchanged()
    {
        var first = Harness.Run(Harness.Compilation(Losses, Unrelated));
        var second = Harness.Run(Replace(first.Input, 0, Losses + "// a comment at the end\n"), first.Driver);
        var result = second.Result.Results.Single();
        var files = result.TrackedSteps[DifferentiableGenerator.Steps.Files].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.All(files, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.Equal(first.Sources, second.Sources);
    }

    [Fact]
    public void EditingTheMethodRegeneratesItsGradient()
    {
        var first = Harness.Run(Harness.Compilation(Losses, Unrelated));
        var second = Harness.Run(Replace(first.Input, 0, Losses.Replace("4 * b * b", "5 * b * b")), first.Driver);
        var result = second.Result.Results.Single();
        var files = result.TrackedSteps[DifferentiableGenerator.Steps.Files].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, files);
        Assert.Contains("10.0 * b", second.Sources.Single(s => s.Key.Contains(".Loss.", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineModelsHoldNoCompilerObjects()
    {
        var run = Harness.Run(Harness.Compilation(Losses, Unrelated, Harness.InClass("    [Differentiable] public static double Bad(double x) => Console.Read() * x;", "D")));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SG0015");
        var result = run.Result.Results.Single();
        int walked = 0;
        foreach (var name in TrackedSteps)
        {
            foreach (var output in result.TrackedSteps[name].SelectMany(s => s.Outputs))
            {
                walked += AssertNoCompilerObjects(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
            }
        }

        Assert.True(walked > 10, $"walked only {walked} objects");
    }

    private static int AssertNoCompilerObjects(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !seen.Add(value))
        {
            return 0;
        }

        Assert.False(value is Compilation or ISymbol or SyntaxNode or SyntaxTree or SemanticModel or IOperation, $"{path} holds a {value.GetType().Name}");
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
