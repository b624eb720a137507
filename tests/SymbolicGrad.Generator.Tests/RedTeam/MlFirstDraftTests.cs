using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Natural first drafts of ML code (rt-ml red-team pass, issue #11), written from the public docs alone: activations,
/// softmax and cross-entropy, convolutions and pooling, attention, normalization, recurrent cells, embeddings, losses,
/// model classes with [Trainable] members, training with the optimizers, misuse. Each is either exact (every probe's
/// gradient and Hessian agree with centered differences, every training run lowers the loss) or refused with the SG
/// errors listed for it, at their constructs; never a wrong value, generated code that fails to compile, or a crash.
/// </summary>
public class MlFirstDraftTests
{
    public static TheoryData<string> ExactDrafts() => new(MlFirstDrafts.Exact);

    public static TheoryData<string> RefusedDrafts() => new(MlFirstDrafts.Refused.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(ExactDrafts))]
    public void TheDraftIsExact(string name)
    {
        var run = Run(Source(name));
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "the generator reported:\n" + string.Join("\n", run.GeneratorDiagnostics));
        var errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "the compilation reported:\n" + string.Join("\n", errors));
        var results = Probe(run.Load());
        Assert.NotEmpty(results);
        foreach (var (probe, result) in results)
        {
            Assert.False(result.Contains("FAIL", StringComparison.Ordinal) || result.Contains("THREW", StringComparison.Ordinal), probe + ": " + result);
        }

        if (name == nameof(MlFirstDrafts.MisuseAndTraining))
        {
            // Misuse throws, naming the problem; a diverging or NaN run stops and says so.
            var said = results.ToDictionary(r => r.Probe, r => r.Result);
            Assert.StartsWith("ArgumentException: Mse takes 3 parameters but parameters has length 2", said["WrongPointLength"], StringComparison.Ordinal);
            Assert.StartsWith("ArgumentException: Mse takes 3 parameters but gradient has length 2", said["WrongGradLength"], StringComparison.Ordinal);
            Assert.StartsWith("ArgumentException: dW has length 3 but w has length 2", said["DirectWrongGrad"], StringComparison.Ordinal);
            Assert.StartsWith("ArgumentOutOfRangeException: wLength", said["NegLen"], StringComparison.Ordinal);
            Assert.Contains("'xs'", said["NullData"], StringComparison.Ordinal);
            Assert.Contains("initialParameters holds a NaN", said["NaNStart"], StringComparison.Ordinal);
            Assert.Contains("x[0] is NaN", said["NaNCheck"], StringComparison.Ordinal);
            Assert.Contains("initialParameters has length 2", said["WrongX0"], StringComparison.Ordinal);
            Assert.StartsWith("no throw: Diverged", said["Diverge"], StringComparison.Ordinal);
            Assert.StartsWith("no throw: Diverged", said["NaNData"], StringComparison.Ordinal);
            Assert.Contains("not finite at the starting point", said["MinimizeNaN"], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(RefusedDrafts))]
    public void TheDraftIsRefusedAtItsConstructs(string name)
    {
        string source = Source(name);
        var run = Run(source);
        var expected = MlFirstDrafts.Refused.Single(r => r.Name == name).Errors.Select(e => e.Id + " at " + e.Node).OrderBy(e => e, StringComparer.Ordinal);
        var reported = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal)).ToList();
        Assert.All(reported, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Equal(expected, reported.Select(d => d.Id + " at " + source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)).OrderBy(e => e, StringComparer.Ordinal));

        // What was generated compiles: the only errors left are the user's calls of what was refused.
        var errors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id is not ("CS0117" or "CS1061")).ToList();
        Assert.True(errors.Count == 0, "the compilation reported:\n" + string.Join("\n", errors));
        if (run.Output.GetDiagnostics().All(d => d.Severity != DiagnosticSeverity.Error))
        {
            foreach (var (probe, result) in Probe(run.Load()))
            {
                Assert.False(result.Contains("FAIL", StringComparison.Ordinal) || result.Contains("THREW", StringComparison.Ordinal), probe + ": " + result);
            }
        }
    }

    private static string Source(string name) => (string)typeof(MlFirstDrafts).GetField(name)!.GetValue(null)!;

    /// <summary>The draft and the kit, in the newest C# (a foreach over a ReadOnlySpan needs C# 13 against net10's span).</summary>
    private static GeneratorRun Run(string source)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var compilation = Harness.Compilation()
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText(source, options, path: "Draft.cs"), CSharpSyntaxTree.ParseText(MlFirstDrafts.Kit, options, path: "Kit.cs"))
            .AddReferences(MetadataReference.CreateFromFile(typeof(Optimizers.Adam).Assembly.Location));
        return Harness.Run(compilation, CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: options));
    }

    /// <summary>Every public static method of the draft's Probe class, run: its name and what it returned (or FAIL and the exception).</summary>
    private static List<(string Probe, string Result)> Probe(Assembly assembly)
    {
        var results = new List<(string, string)>();
        var probe = assembly.GetType("Probe");
        if (probe is null)
        {
            return results;
        }

        foreach (var method in probe.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.DeclaringType == probe))
        {
            try
            {
                results.Add((method.Name, method.Invoke(null, null)?.ToString() ?? string.Empty));
            }
            catch (TargetInvocationException e)
            {
                results.Add((method.Name, "FAIL: " + e.InnerException));
            }
        }

        return results;
    }
}
