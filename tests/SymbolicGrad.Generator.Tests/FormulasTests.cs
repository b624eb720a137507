using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using SymbolicGrad.Generator.Emit;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Tests;

/// <summary>How a parameter of a formula test case is passed.</summary>
public enum FormulaArg
{
    /// <summary>A differentiable double.</summary>
    Real,

    /// <summary>A differentiable double[] (its gradient is a span).</summary>
    Array,

    /// <summary>A [NoDerivative] double.</summary>
    Data,

    /// <summary>A [NoDerivative] double[] (or span).</summary>
    DataArray,
    Int,
    Bool,
}

/// <summary>
/// A method, the formulas expected in its remarks (derived by hand from the rules documented in docs/formulas.md,
/// not copied from the generator's output), and how to call its gradient to check them numerically.
/// </summary>
public sealed record FormulaCase(string Stem, string Method, (string Name, FormulaArg Kind)[] Args, string[] Expected, double Lo = 0.5, double Hi = 2.0)
{
    /// <summary>A hand-written body for StemCheck(s, a, ds, da) when the generated wrapper does not fit (structs, float).</summary>
    public string? Wrapper { get; init; }

    /// <summary>Data arrays the method reads from static fields (by name), as the formulas name them.</summary>
    public IReadOnlyDictionary<string, double[]> Fields { get; init; } = new Dictionary<string, double[]>();

    /// <summary>Relative tolerance of the numeric comparison (float methods compute their gradient in float).</summary>
    public double Tolerance { get; init; } = 1e-9;
}

/// <summary>Runs the generator once over every case (one compilation costs seconds here) and loads the result.</summary>
public sealed class FormulaFixture
{
    public const string Header = "using System;\nusing System.Linq;\nusing SymbolicGrad;\nnamespace Demo;\npublic static partial class F\n{\n";

    public static readonly FormulaCase[] Cases =
    {
        new("Rosenbrock", "[Differentiable] public static double Rosenbrock(double x, double y) => (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);",
            new[] { ("x", FormulaArg.Real), ("y", FormulaArg.Real) },
            new[] { "∂Rosenbrock/∂x = −2·(1 − x) − 400·x·(y − x²)", "∂Rosenbrock/∂y = 200·(y − x²)" }),
        new("Parabola", "[Differentiable] public static double Parabola(double w) => (w - 3) * (w - 3);",
            new[] { ("w", FormulaArg.Real) },
            new[] { "∂Parabola/∂w = 2·(w − 3)" }),
        new("Product3", "[Differentiable] public static double Product3(double x, double y, double z) => x * y * z + x * x * y;",
            new[] { ("x", FormulaArg.Real), ("y", FormulaArg.Real), ("z", FormulaArg.Real) },
            new[] { "∂Product3/∂x = y·z + 2·x·y", "∂Product3/∂y = x·z + x²", "∂Product3/∂z = x·y" }),
        new("Quotient", "[Differentiable] public static double Quotient(double x, double y) => x / y + x * y / (x + y);",
            new[] { ("x", FormulaArg.Real), ("y", FormulaArg.Real) },
            new[] { "∂Quotient/∂x = 1/y + y/(x + y) − x·y/(x + y)²", "∂Quotient/∂y = x/(x + y) − x/y² − x·y/(x + y)²" }),
        new("Elementary", "[Differentiable] public static double Elementary(double x, double y) => Math.Exp(2 * x) * Math.Log(y) + Math.Pow(x, 3) + Math.Sqrt(x * y) + Math.Tanh(y / 2) + Math.Pow(x, y);",
            new[] { ("x", FormulaArg.Real), ("y", FormulaArg.Real) },
            new[]
            {
                "∂Elementary/∂x = 2·exp(2·x)·ln(y) + 3·x² + y/(2·√(x·y)) + y·x^(y − 1)",
                "∂Elementary/∂y = exp(2·x)/y + x/(2·√(x·y)) + (1 − tanh(y/2)²)/2 + x^y·ln(x)",
            }),
        new("Logs", "[Differentiable] public static double Logs(double x) => Math.Log10(x) + Math.Log2(x) + Math.Cbrt(x) + Math.Sin(x) * Math.Cos(x);",
            new[] { ("x", FormulaArg.Real) },
            new[] { "∂Logs/∂x = 1/(x·ln(10)) + 1/(x·ln(2)) + 1/(3·x^(2/3)) + cos(x)² − sin(x)²" }),
        new("Gauss", "[Differentiable] public static double Gauss(double x, double mu, double s) => -(x - mu) * (x - mu) / (2 * s * s) - Math.Log(s);",
            new[] { ("x", FormulaArg.Real), ("mu", FormulaArg.Real), ("s", FormulaArg.Real) },
            new[] { "∂Gauss/∂x = (mu − x)/s²", "∂Gauss/∂mu = (x − mu)/s²", "∂Gauss/∂s = (x − mu)²/s³ − 1/s" }),
        new("Logistic", "private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));\n    [Differentiable] public static double Logistic(double w, double b, [NoDerivative] double x) => Sigmoid(w * x + b);",
            new[] { ("w", FormulaArg.Real), ("b", FormulaArg.Real), ("x", FormulaArg.Data) },
            new[] { "∂Logistic/∂w = x·exp(−w·x − b)/(1 + exp(−w·x − b))²", "∂Logistic/∂b = exp(−w·x − b)/(1 + exp(−w·x − b))²" }),
        new("Leaky", "[Differentiable] public static double Leaky(double x) => x > 0 ? x * x : 0.01 * x;",
            new[] { ("x", FormulaArg.Real) },
            new[] { "∂Leaky/∂x = x > 0 ? 2·x : 0.01" }, Lo: -2, Hi: 2),
        new("Branchy", "[Differentiable] public static double Branchy(double x, double y)\n    {\n        double r = x;\n        if (x > y)\n        {\n            r = x * Math.Log(y);\n        }\n        else\n        {\n            r = y * y;\n        }\n\n        return r * x;\n    }",
            new[] { ("x", FormulaArg.Real), ("y", FormulaArg.Real) },
            new[] { "∂Branchy/∂x = x > y ? 2·x·ln(y) : y²", "∂Branchy/∂y = x > y ? x²/y : 2·x·y" }),
        new("Early", "[Differentiable] public static double Early(double x)\n    {\n        if (x < 0) return -x * x;\n        double s = Math.Sqrt(x);\n        if (s > 2) return s;\n        return s * x;\n    }",
            new[] { ("x", FormulaArg.Real) },
            new[] { "∂Early/∂x = x < 0 ? −2·x : √x > 2 ? 1/(2·√x) : 3·√x/2" }, Lo: -2, Hi: 9),
        new("Kinks", "[Differentiable] public static double Kinks(double x, double y) => Math.Abs(x) + Math.Max(x, y) + Math.PI * y;",
            new[] { ("x", FormulaArg.Real), ("y", FormulaArg.Real) },
            new[] { "∂Kinks/∂x = sign(x) + (x > y ? 1 : 0)", "∂Kinks/∂y = x > y ? π : 1 + π" }, Lo: -2, Hi: 2),
        new("Huber", "[Differentiable] public static double Huber(double r, [NoDerivative] double delta) => Math.Abs(r) <= delta ? 0.5 * r * r : delta * (Math.Abs(r) - 0.5 * delta);",
            new[] { ("r", FormulaArg.Real), ("delta", FormulaArg.Data) },
            new[] { "∂Huber/∂r = |r| ≤ delta ? r : delta·sign(r)" }, Lo: -2, Hi: 2),
        new("Switched", "[Differentiable] public static double Switched(double x, int mode) => mode switch { 0 => x * x, 1 => Math.Sin(x), _ => 2 * x };",
            new[] { ("x", FormulaArg.Real), ("mode", FormulaArg.Int) },
            new[] { "∂Switched/∂x = mode == 0 ? 2·x : mode == 1 ? cos(x) : 2" }),
        new("Guarded", "[Differentiable] public static double Guarded(double x)\n    {\n        if (x <= 0) throw new ArgumentOutOfRangeException(nameof(x));\n        return Math.Log(x) * x;\n    }",
            new[] { ("x", FormulaArg.Real) },
            new[] { "∂Guarded/∂x = 1 + ln(x)" }),
        new("Scaled", "[Differentiable] public static double Scaled(double w, int n, [NoDerivative] double target, bool square)\n    {\n        double e = w * n - target;\n        return square ? e * e : Math.Abs(e);\n    }",
            new[] { ("w", FormulaArg.Real), ("n", FormulaArg.Int), ("target", FormulaArg.Data), ("square", FormulaArg.Bool) },
            new[] { "∂Scaled/∂w = square ? 2·n·(w·n − target) : n·sign(w·n − target)" }),
        new("SquaredError", "[Differentiable] public static double SquaredError(double[] w, [NoDerivative] double[] t)\n    {\n        double s = 0;\n        for (int i = 0; i < w.Length; i++)\n        {\n            double d = w[i] - t[i];\n            s += d * d;\n        }\n\n        return s;\n    }",
            new[] { ("w", FormulaArg.Array), ("t", FormulaArg.DataArray) },
            new[] { "∂SquaredError/∂w[i] = 2·(w[i] − t[i])" }),
        new("Mse", "[Differentiable] public static double Mse(double w, double b, [NoDerivative] double[] x, [NoDerivative] double[] y)\n    {\n        double sum = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            double r = w * x[i] + b - y[i];\n            sum += r * r;\n        }\n\n        return sum / x.Length;\n    }",
            new[] { ("w", FormulaArg.Real), ("b", FormulaArg.Real), ("x", FormulaArg.DataArray), ("y", FormulaArg.DataArray) },
            new[] { "∂Mse/∂w = 2·Σᵢ (x[i]·(w·x[i] + b − y[i]))/x.Length", "∂Mse/∂b = 2·Σᵢ (w·x[i] + b − y[i])/x.Length" }),
        new("FieldMse", "private static readonly double[] _xs = { 0.5, 1.5, 2.0, 3.5 };\n    private static readonly double[] _ys = { 1.0, 2.5, 2.0, 4.0 };\n    [Differentiable] public static double FieldMse(double w, double b)\n    {\n        double sum = 0;\n        for (int i = 0; i < _xs.Length; i++)\n        {\n            double r = w * _xs[i] + b - _ys[i];\n            sum += r * r;\n        }\n\n        return sum / _xs.Length;\n    }",
            new[] { ("w", FormulaArg.Real), ("b", FormulaArg.Real) },
            new[] { "∂FieldMse/∂w = 2·Σᵢ (_xs[i]·(w·_xs[i] + b − _ys[i]))/_xs.Length", "∂FieldMse/∂b = 2·Σᵢ (w·_xs[i] + b − _ys[i])/_xs.Length" })
        {
            Fields = new Dictionary<string, double[]> { ["_xs"] = new[] { 0.5, 1.5, 2.0, 3.5 }, ["_ys"] = new[] { 1.0, 2.5, 2.0, 4.0 } },
        },
        new("TanhDot", "[Differentiable] public static double TanhDot(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x)\n    {\n        double s = 0;\n        for (int i = 0; i < w.Length; i++) s += w[i] * x[i];\n        return Math.Tanh(s);\n    }",
            new[] { ("w", FormulaArg.Array), ("x", FormulaArg.DataArray) },
            new[] { "∂TanhDot/∂w[i] = x[i]·(1 − tanh(Σⱼ (w[j]·x[j]))²)" }),
        new("MeanExp", "[Differentiable] public static double MeanExp(double[] w) => w.Select(v => Math.Exp(v)).Average();",
            new[] { ("w", FormulaArg.Array) },
            new[] { "∂MeanExp/∂w[i] = exp(w[i])/w.Length" }),
        new("TwoSums", "[Differentiable] public static double TwoSums(double[] w, double a)\n    {\n        double s = 0;\n        foreach (double v in w) s += a * v;\n        double q = 0;\n        for (int k = 0; k < w.Length; k++) q += w[k] * w[k];\n        return s * q;\n    }",
            new[] { ("w", FormulaArg.Array), ("a", FormulaArg.Real) },
            new[] { "∂TwoSums/∂w[i] = a·Σⱼ (w[j]²) + 2·a·w[i]·Σⱼ w[j]", "∂TwoSums/∂a = (Σᵢ w[i])·Σᵢ (w[i]²)" }),
        new("Series", "[Differentiable] public static double Series(double x, int n)\n    {\n        double s = 0;\n        for (int k = 0; k < n; k++) s += Math.Pow(x, k) / (k + 1);\n        return s;\n    }",
            new[] { ("x", FormulaArg.Real), ("n", FormulaArg.Int) },
            new[] { "∂Series/∂x = Σ(k < n) (k·x^(k − 1)/(k + 1))" }),
        new("Area", "public struct P { public double X; public double Y; }\n    [Differentiable] public static double Area(P p) => p.X * p.Y;",
            new[] { ("p.X", FormulaArg.Real), ("p.Y", FormulaArg.Real) },
            new[] { "∂Area/∂p.X = p.Y", "∂Area/∂p.Y = p.X" })
        {
            Wrapper = "var v = AreaGradient(new P { X = s[0], Y = s[1] }, out var d); ds[0] = d.X; ds[1] = d.Y; return v;",
        },
        new("Single", "[Differentiable] public static float Single(float x) => 0.1f * x * x + MathF.Sqrt(x);",
            new[] { ("x", FormulaArg.Real) },
            new[] { "∂Single/∂x = 0.2·x + 1/(2·√x)" })
        {
            Wrapper = "var v = SingleGradient((float)s[0], out float d); ds[0] = d; return v;",
            Tolerance = 1e-6,
        },
        new("Long", "[Differentiable] public static double Long(double x, double y) => Math.Exp(Math.Sin(x * y) * Math.Cos(x + y)) * Math.Log(1 + x * x * y) / Math.Sqrt(1 + Math.Tanh(x - y) * Math.Tanh(x * y * y));",
            new[] { ("x", FormulaArg.Real), ("y", FormulaArg.Real) },
            new[] { "∂Long/∂x: a formula longer than a line; see the reverse sweep in LongGradient", "∂Long/∂y: a formula longer than a line; see the reverse sweep in LongGradient" }),
        new("Horner", "[Differentiable] public static double Horner(ReadOnlySpan<double> c, double x)\n    {\n        double p = 0;\n        for (int i = c.Length - 1; i >= 0; i--) p = p * x + c[i];\n        return p;\n    }",
            new[] { ("c", FormulaArg.Array), ("x", FormulaArg.Real) },
            new[] { "∂Horner/∂c[i]: computed by a loop; see the reverse sweep in HornerGradient", "∂Horner/∂x: computed by a loop; see the reverse sweep in HornerGradient" }),
    };

    public FormulaFixture()
    {
        var source = new StringBuilder(Header);
        foreach (var c in Cases)
        {
            source.Append("    ").Append(c.Method).Append("\n\n");
            source.Append("    public static double ").Append(c.Stem).Append("Check(double[] s, double[][] a, double[] ds, double[][] da)\n    {\n        ")
                .Append(c.Wrapper ?? "return " + Call(c) + ";").Append("\n    }\n\n");
        }

        Source = source.Append("}\n").ToString();
        Run = Harness.Run(Source);
        Lines = Remarks(Run);
        Assembly = Run.CompilationProblems.Any(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error) ? null : Run.Load();
    }

    public string Source { get; }

    public GeneratorRun Run { get; }

    /// <summary>The formula lines of each method's remarks, by method name, XML unescaped.</summary>
    public IReadOnlyDictionary<string, List<string>> Lines { get; }

    public Assembly? Assembly { get; }

    /// <summary>The ∂ lines of every NameGradient's remarks in the generated sources, by name.</summary>
    public static Dictionary<string, List<string>> Remarks(GeneratorRun run)
    {
        var lines = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var text in run.Sources.Values)
        {
            bool inRemarks = false;
            foreach (var raw in text.Split('\n'))
            {
                string l = raw.Trim();
                if (l == "/// <remarks>")
                {
                    inRemarks = true;
                }
                else if (l == "/// </remarks>")
                {
                    inRemarks = false;
                }
                else if (inRemarks && l.StartsWith("/// ∂", StringComparison.Ordinal))
                {
                    string formula = l.Substring(4).Replace("&lt;", "<").Replace("&gt;", ">").Replace("&amp;", "&");
                    string stem = formula.Substring(1, formula.IndexOf('/', StringComparison.Ordinal) - 1);
                    if (!lines.TryGetValue(stem, out var list))
                    {
                        lines[stem] = list = new List<string>();
                    }

                    list.Add(formula);
                }
            }
        }

        return lines;
    }

    /// <summary>StemGradient(s[0], a[0], …, out ds[0], da[0], …) for a case's parameters.</summary>
    private static string Call(FormulaCase c)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        int scalar = 0, array = 0, dScalar = 0, dArray = 0;
        foreach (var (_, kind) in c.Args)
        {
            string k = (kind is FormulaArg.Array or FormulaArg.DataArray ? array : scalar).ToString(CultureInfo.InvariantCulture);
            switch (kind)
            {
                case FormulaArg.Real:
                    inputs.Add("s[" + k + "]");
                    outputs.Add("out ds[" + (dScalar++).ToString(CultureInfo.InvariantCulture) + "]");
                    scalar++;
                    break;
                case FormulaArg.Data:
                    inputs.Add("s[" + k + "]");
                    scalar++;
                    break;
                case FormulaArg.Int:
                    inputs.Add("(int)s[" + k + "]");
                    scalar++;
                    break;
                case FormulaArg.Bool:
                    inputs.Add("s[" + k + "] > 0");
                    scalar++;
                    break;
                case FormulaArg.Array:
                    inputs.Add("a[" + k + "]");
                    outputs.Add("da[" + (dArray++).ToString(CultureInfo.InvariantCulture) + "]");
                    array++;
                    break;
                case FormulaArg.DataArray:
                    inputs.Add("a[" + k + "]");
                    array++;
                    break;
            }
        }

        return c.Stem + "Gradient(" + string.Join(", ", inputs.Concat(outputs)) + ")";
    }
}

public class FormulasTests : IClassFixture<FormulaFixture>
{
    private static readonly Regex Line = new(@"^∂(?<f>\w+)/∂(?<p>[\w.]+)(\[(?<i>\w+)\])? = (?<rhs>.+)$", RegexOptions.CultureInvariant);

    private readonly FormulaFixture _fixture;

    public FormulasTests(FormulaFixture fixture) => _fixture = fixture;

    public static TheoryData<string> Stems()
    {
        var data = new TheoryData<string>();
        foreach (var c in FormulaFixture.Cases)
        {
            data.Add(c.Stem);
        }

        return data;
    }

    [Fact]
    public void TheCasesCompileWithoutProblems()
    {
        Assert.Empty(_fixture.Run.GeneratorDiagnostics);
        Assert.Empty(_fixture.Run.CompilationProblems);
        Assert.NotNull(_fixture.Assembly);
    }

    [Theory]
    [MemberData(nameof(Stems))]
    public void TheRemarksShowTheSimplifiedFormula(string stem)
    {
        var c = FormulaFixture.Cases.Single(x => x.Stem == stem);
        Assert.True(_fixture.Lines.TryGetValue(stem, out var lines), stem + "Gradient has no formulas in its remarks");
        Assert.Equal(c.Expected, lines);
        Assert.All(lines, l => Assert.True(l.Length <= Formulas.MaxLine, l));
    }

    /// <summary>
    /// Each formula, evaluated by an independent reader at random points, equals the generated gradient: a formula
    /// that is simplified wrongly (or prints ambiguously) fails here even if the text looks right.
    /// </summary>
    [Theory]
    [MemberData(nameof(Stems))]
    public void TheFormulaAgreesWithTheGeneratedGradient(string stem)
    {
        // The generator's lines, not the expected ones: a wrong formula fails here even where its text is expected.
        var c = FormulaFixture.Cases.Single(x => x.Stem == stem);
        var lines = _fixture.Lines.TryGetValue(stem, out var found) ? found : new List<string>();
        var formulas = lines.Select(l => Line.Match(l)).Where(m => m.Success).ToList();
        if (formulas.Count == 0)
        {
            Assert.Equal(c.Expected.Length, lines.Count);
            Assert.All(lines, l => Assert.Contains("see the reverse sweep in " + stem + "Gradient", l, StringComparison.Ordinal));
            return;
        }

        var check = _fixture.Assembly!.GetType("Demo.F")!.GetMethod(stem + "Check")!;
        var random = new Random(stem.Length * 7919 + stem[0]);
        const int n = 4;
        int compared = 0;
        for (int trial = 0; trial < 6; trial++)
        {
            var scalars = new List<double>();
            var arrays = new List<double[]>();
            var names = new Dictionary<string, double>(StringComparer.Ordinal);
            var arrayNames = new Dictionary<string, double[]>(c.Fields, StringComparer.Ordinal);
            int dScalars = 0, dArrays = 0;
            foreach (var (name, kind) in c.Args)
            {
                double Draw() => c.Lo + (c.Hi - c.Lo) * random.NextDouble();
                switch (kind)
                {
                    case FormulaArg.Real or FormulaArg.Data:
                        names[name] = Draw();
                        scalars.Add(names[name]);
                        dScalars += kind == FormulaArg.Real ? 1 : 0;
                        break;
                    case FormulaArg.Int:
                        names[name] = random.Next(1, 4);
                        scalars.Add(names[name]);
                        break;
                    case FormulaArg.Bool:
                        names[name] = trial % 2;
                        scalars.Add(trial % 2 == 1 ? 1 : -1);
                        break;
                    default:
                        arrayNames[name] = Enumerable.Range(0, n).Select(_ => Draw()).ToArray();
                        arrays.Add(arrayNames[name]);
                        dArrays += kind == FormulaArg.Array ? 1 : 0;
                        break;
                }
            }

            var ds = new double[dScalars];
            var da = Enumerable.Range(0, dArrays).Select(_ => new double[n]).ToArray();
            check.Invoke(null, new object[] { scalars.ToArray(), arrays.ToArray(), ds, da });

            // The outputs in parameter order, as the formula lines are.
            int nextScalar = 0, nextArray = 0;
            foreach (var (name, kind) in c.Args.Where(a => a.Kind is FormulaArg.Real or FormulaArg.Array))
            {
                var m = formulas.FirstOrDefault(f => f.Groups["p"].Value == name);
                if (kind == FormulaArg.Real)
                {
                    double expected = ds[nextScalar++];
                    if (m is not null)
                    {
                        Compare(c, m, expected, Evaluate(m, names, arrayNames, n, null));
                        compared++;
                    }
                }
                else
                {
                    var expected = da[nextArray++];
                    if (m is not null)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            Compare(c, m, expected[i], Evaluate(m, names, arrayNames, n, i));
                            compared++;
                        }
                    }
                }
            }
        }

        Assert.True(compared >= 6, "nothing was compared");
    }

    private static double Evaluate(Match m, Dictionary<string, double> names, Dictionary<string, double[]> arrays, int n, int? element)
    {
        string index = m.Groups["i"].Value;
        return FormulaEvaluator.Evaluate(
            m.Groups["rhs"].Value,
            name => element is { } e && name == index ? e
                : names.TryGetValue(name, out double v) ? v
                : name.EndsWith(".Length", StringComparison.Ordinal) && arrays.TryGetValue(name.Substring(0, name.Length - 7), out var a) ? a.Length
                : throw new KeyNotFoundException("the formula names '" + name + "', which is not a parameter: " + m.Value),
            name => arrays.TryGetValue(name, out var a) ? a : throw new KeyNotFoundException("no array '" + name + "' in: " + m.Value),
            n);
    }

    private static void Compare(FormulaCase c, Match m, double expected, double actual)
    {
        double tolerance = c.Tolerance * Math.Max(1, Math.Abs(expected));
        Assert.True(Math.Abs(expected - actual) <= tolerance, string.Create(CultureInfo.InvariantCulture, $"{m.Value}: the formula gives {actual:R}, the generated gradient {expected:R}"));
    }

    [Fact]
    public void TheObjectiveCarriesTheSameFormulas()
    {
        var objective = _fixture.Assembly!.GetType("Demo.F")!.GetMethod("RosenbrockObjective")!;
        var f = (DifferentiableFunction)objective.Invoke(null, Array.Empty<object>())!;
        Assert.Equal(new[] { "∂Rosenbrock/∂x = −2·(1 − x) − 400·x·(y − x²)", "∂Rosenbrock/∂y = 200·(y − x²)" }, f.Derivatives);
    }

    [Fact]
    public void GenericMathFormulasReadLikeTheDoubleOnes()
    {
        // The generated code does not compile as C# 12 against .NET 10's generic-math interfaces (CS9202, see the
        // snapshot tests), but the remarks are written before that.
        var run = Harness.Run("using System;\nusing System.Numerics;\nusing SymbolicGrad;\nnamespace Demo;\npublic static partial class G\n{\n"
            + "    [Differentiable] public static T SoftPlus<T>(T x) where T : IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(x)) * T.CreateChecked(0.5);\n}\n");
        Assert.Equal(new[] { "∂SoftPlus/∂x = exp(x)/(2·(1 + exp(x)))" }, FormulaFixture.Remarks(run)["SoftPlus"]);
    }

    // ---------------------------------------------------------------------------------------------------------
    // On the IR alone: sizes no C# compiler would enjoy.

    private static (IrMethod Method, Var X, Var Y) TwoParameters()
    {
        var m = new IrMethod(IrType.Double);
        var x = m.NewVar("x", IrType.Double, VarRole.Parameter);
        var y = m.NewVar("y", IrType.Double, VarRole.Parameter);
        m.Params.Add(new IrParam("x", "double", ParamKind.Parameter, new List<Leaf> { new(x, string.Empty, true) }, null));
        m.Params.Add(new IrParam("y", "double", ParamKind.Parameter, new List<Leaf> { new(y, string.Empty, true) }, null));
        return (m, x, y);
    }

    private static Var Emit(IrMethod m, Block b, Opcode op, params Operand[] args)
    {
        var v = m.NewVar("t", IrType.Double, VarRole.Temp);
        b.Add(new Assign(v, new Instr(op, IrType.Double, args)));
        return v;
    }

    private static Const K(double v) => new(v, IrType.Double);

    [Fact]
    public void ATenThousandTermSumIsDescribedInLinearTime()
    {
        // x + sin(1·y) + sin(2·y) + … + sin(10000·y): ∂/∂x = 1 is short even though the function is not.
        var (m, x, y) = TwoParameters();
        Operand sum = x;
        for (int k = 1; k <= 10_000; k++)
        {
            sum = Emit(m, m.Body, Opcode.Add, sum, Emit(m, m.Body, Opcode.Sin, Emit(m, m.Body, Opcode.Mul, K(k), y)));
        }

        m.Result = sum;
        var clock = Stopwatch.StartNew();
        var lines = Formulas.Describe("Big", m);
        clock.Stop();
        Assert.Equal(new[] { "∂Big/∂x = 1", "∂Big/∂y: a formula longer than a line; see the reverse sweep in BigGradient" }, lines);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "took " + clock.Elapsed);
    }

    [Fact]
    public void TenThousandLikeTermsAreCollected()
    {
        // x + x + … (10000 times) + y·y: the sum stays one term long however many times x is added.
        var (m, x, y) = TwoParameters();
        Operand sum = x;
        for (int k = 1; k < 10_000; k++)
        {
            sum = Emit(m, m.Body, Opcode.Add, sum, x);
        }

        m.Result = Emit(m, m.Body, Opcode.Add, sum, Emit(m, m.Body, Opcode.Mul, y, y));
        Assert.Equal(new[] { "∂Many/∂x = 10000", "∂Many/∂y = 2·y" }, Formulas.Describe("Many", m));
    }

    [Fact]
    public void TenThousandNestedCallsAndBranchesDoNotRecurse()
    {
        // exp(exp(…exp(x)…)) 10000 deep, on a thread with a small stack: a walk that recursed per level would overflow.
        var (m, x, y) = TwoParameters();
        Operand v = x;
        for (int k = 0; k < 10_000; k++)
        {
            v = Emit(m, m.Body, Opcode.Exp, v);
        }

        m.Result = Emit(m, m.Body, Opcode.Add, v, y);

        // if (x > k) { if (x > k + 1) { … } } 10000 deep, each merging its branch's value.
        var (n, nx, ny) = TwoParameters();
        var block = n.Body;
        var phis = new List<(If If, Var Dst)>();
        for (int k = 0; k < 10_000; k++)
        {
            var cond = n.NewVar("c", IrType.Bool, VarRole.Temp);
            block.Add(new Assign(cond, new Instr(Opcode.Cmp, IrType.Bool, new Operand[] { nx, K(k) }, CmpKind.Gt)));
            var inner = new Block();
            var dst = n.NewVar("r", IrType.Double, VarRole.Local);
            var branch = new If(cond, inner, new Block(), new List<Phi>());
            block.Add(branch);
            phis.Add((branch, dst));
            block = inner;
        }

        Operand innermost = Emit(n, block, Opcode.Mul, nx, ny);
        for (int k = phis.Count - 1; k >= 0; k--)
        {
            phis[k].If.Phis.Add(new Phi(phis[k].Dst, innermost, ny));
            innermost = phis[k].Dst;
        }

        n.Result = innermost;

        List<string>? deep = null, nested = null;
        var thread = new Thread(() =>
        {
            deep = Formulas.Describe("Deep", m);
            nested = Formulas.Describe("Nested", n);
        }, 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.Equal(new[] { "∂Deep/∂x: a formula longer than a line; see the reverse sweep in DeepGradient", "∂Deep/∂y = 1" }, deep);
        Assert.Equal(new[] { "∂Nested/∂x: a formula longer than a line; see the reverse sweep in NestedGradient", "∂Nested/∂y: a formula longer than a line; see the reverse sweep in NestedGradient" }, nested);
    }
}
