using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicGrad.Generator.Tests.RandomPrograms;

/// <summary>
/// The Jacobian path (forward mode, <c>NameJacobian</c> / <c>NameLeastSquares</c>) on random programs: each random
/// method f becomes a residual method <c>r = (f, ½f²)</c>, whose generated Jacobian must be (∇f, f·∇f), with ∇f from the
/// generated gradient (reverse mode, a different transform) at three random points. From the red-team pass of stop 29.
///
/// Environment variables:
///   SYMBOLICGRAD_RANDOM_JACOBIAN_PROGRAMS  random programs to generate (default 200, one batch; only the callable
///                                          double methods that are not refused are wrapped)
///   SYMBOLICGRAD_RANDOM_SEED               base seed (default RandomProgramTests.DefaultSeed + 21)
/// </summary>
public class RandomJacobianTests
{
    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : fallback;

    [Fact]
    public void ResidualJacobiansAreTheGradients()
    {
        int programs = Env("SYMBOLICGRAD_RANDOM_JACOBIAN_PROGRAMS", 200);
        int seed = Env("SYMBOLICGRAD_RANDOM_SEED", RandomProgramTests.DefaultSeed + 21);
        var failures = new List<string>();
        int wrappedTotal = 0, checkedTotal = 0;
        foreach (var batch in RandomProgramTests.Batches(programs, seed, RandomProgramTests.DefaultBatchSize))
        {
            var (wrapped, checkedMethods) = Check(batch, failures);
            wrappedTotal += wrapped;
            checkedTotal += checkedMethods;
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)));
        Assert.True(checkedTotal >= wrappedTotal / 2 && checkedTotal > 0, $"only {checkedTotal} of {wrappedTotal} wrapped methods were checked");
    }

    private static (int Wrapped, int Checked) Check(RandomBatch batch, List<string> failures)
    {
        var wrap = new StringBuilder("using System;\nusing System.Linq;\nusing SymbolicGrad;\nnamespace RandomDemo;\npublic static partial class P\n{\n");
        var wrapped = new List<RandomMethod>();
        foreach (var m in batch.Methods)
        {
            if (m.IsHelper || !m.Callable || m.ExpectedDiagnostic != null || m.UsesFloat
                || m.Parameters.Any(p => p.CSharpType is not ("double" or "int" or "double[]")) || !m.Parameters.Any(p => p.IsDifferentiable))
            {
                continue;
            }

            wrapped.Add(m);
            string parameters = string.Join(", ", m.Parameters.Select(p => (p.IsDifferentiable || p.Kind == ParamKind.Int ? string.Empty : "[NoDerivative] ") + p.CSharpType + " " + p.Name));
            string arguments = string.Join(", ", m.Parameters.Select(p => p.Name));
            wrap.Append(CultureInfo.InvariantCulture, $"    [Differentiable] public static void {m.Name}__R{m.Index}({parameters}, Span<double> r__) {{ double f__ = {m.Name}({arguments}); r__[0] = f__; r__[1] = 0.5 * f__ * f__; }}\n");
        }

        wrap.Append("}\n");
        var parse = batch.CSharp13 ? new CSharpParseOptions(LanguageVersion.CSharp13) : Harness.ParseOptions;
        var compilation = CSharpCompilation.Create("J" + batch.Seed.ToString(CultureInfo.InvariantCulture),
            new[] { CSharpSyntaxTree.ParseText(batch.Source, parse, path: "Batch.cs"), CSharpSyntaxTree.ParseText(wrap.ToString(), parse, path: "Wrap.cs") },
            Harness.References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: parse);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        string reproduce = $"(SYMBOLICGRAD_RANDOM_SEED={batch.Seed} SYMBOLICGRAD_RANDOM_JACOBIAN_PROGRAMS={batch.Methods.Count(m => !m.IsHelper)})";

        // The random programs' own refusals are the other tests' business; the residual wrappers must not be refused.
        foreach (var d in diagnostics.Where(d => d.Location.GetLineSpan().Path != "Batch.cs" || d.Id.StartsWith("CS", StringComparison.Ordinal) || d.Id == "SG9999"))
        {
            failures.Add($"batch {batch.Seed}: the generator reported {d} {reproduce}");
        }

        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        if (!emit.Success)
        {
            failures.Add($"batch {batch.Seed}: the generated code does not compile {reproduce}:\n" + string.Join("\n", emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(5)));
            return (wrapped.Count, 0);
        }

        stream.Position = 0;
        var context = new AssemblyLoadContext("J" + batch.Seed.ToString(CultureInfo.InvariantCulture), isCollectible: true);
        try
        {
            var type = context.LoadFromStream(stream).GetType("RandomDemo.P")!;
            int checkedMethods = 0;
            foreach (var m in wrapped)
            {
                if (CheckOne(type, m, batch.Seed, failures, reproduce))
                {
                    checkedMethods++;
                }
            }

            return (wrapped.Count, checkedMethods);
        }
        finally
        {
            context.Unload();
        }
    }

    private static bool CheckOne(Type type, RandomMethod m, int seed, List<string> failures, string reproduce)
    {
        var random = new Random(unchecked((seed * 31) + m.Index));
        var lengths = m.DiffParameters.Where(p => p.IsArray).Select(_ => (object)(1 + random.Next(ProgramFeatures.MaxArrayLength))).ToList();
        var data = m.DataParameters.Select(p => p.Kind switch
        {
            ParamKind.Int => (object)random.Next(0, 5),
            ParamKind.DataArray => Enumerable.Range(0, 1 + random.Next(ProgramFeatures.MaxArrayLength)).Select(_ => Math.Round((random.NextDouble() * 4) - 2, 3)).ToArray(),
            _ => Math.Round((random.NextDouble() * 4) - 2, 3),
        }).ToList();
        object[] arguments = lengths.Concat(data).ToArray();
        var objective = type.GetMethod(m.Name + "Objective", BindingFlags.Public | BindingFlags.Static, arguments.Select(o => o.GetType()).ToArray());
        var leastSquares = type.GetMethod(m.Name + "__R" + m.Index.ToString(CultureInfo.InvariantCulture) + "LeastSquares", BindingFlags.Public | BindingFlags.Static);
        if (objective is null || leastSquares is null)
        {
            failures.Add($"batch {seed}: {m.Signature}: no {(objective is null ? "objective" : "least-squares function")} was generated {reproduce}");
            return false;
        }

        DifferentiableFunction f;
        LeastSquaresFunction residuals;
        try
        {
            f = (DifferentiableFunction)objective.Invoke(null, arguments)!;
            residuals = (LeastSquaresFunction)leastSquares.Invoke(null, arguments.Append(2).ToArray())!;
        }
        catch (TargetInvocationException)
        {
            return false; // data the factory refuses (the same for both)
        }

        int n = f.Dimension;
        for (int point = 0; point < 3; point++)
        {
            var x = Enumerable.Range(0, n).Select(_ => (random.NextDouble() * 4) - 2).ToArray();
            var g = new double[n];
            double value;
            try
            {
                value = f.ValueAndGradient(x, g);
            }
            catch (Exception)
            {
                continue; // the method throws here (checked against the method by the other tests)
            }

            var r = new double[2];
            var jacobian = new double[2 * n];
            try
            {
                residuals.Jacobian(x, r, jacobian);
            }
            catch (Exception e)
            {
                failures.Add($"batch {seed}: {m.Signature}: the Jacobian threw {e.GetType().Name}: {e.Message}, the gradient did not {reproduce}\n{m.StandaloneSource()}");
                return true;
            }

            static bool Near(double p, double q) => (double.IsNaN(p) && double.IsNaN(q)) || p == q || Math.Abs(p - q) <= 1e-9 * (1 + Math.Abs(q));
            var bad = new List<string>();
            if (!Near(r[0], value))
            {
                bad.Add($"r[0] {r[0]:R}, value {value:R}");
            }

            for (int k = 0; k < n; k++)
            {
                if (!Near(jacobian[k], g[k]))
                {
                    bad.Add($"J[0, {k}] {jacobian[k]:R}, gradient {g[k]:R}");
                }

                if (!Near(jacobian[n + k], value * g[k]))
                {
                    bad.Add($"J[1, {k}] {jacobian[n + k]:R}, f·gradient {value * g[k]:R}");
                }
            }

            if (bad.Count > 0)
            {
                string at = string.Join(", ", x.Select(e => e.ToString("R", CultureInfo.InvariantCulture)));
                failures.Add($"batch {seed}: {m.Signature} at ({at}): {string.Join("; ", bad.Take(6))} {reproduce}\n{m.StandaloneSource()}");
                return true;
            }
        }

        return true;
    }
}
