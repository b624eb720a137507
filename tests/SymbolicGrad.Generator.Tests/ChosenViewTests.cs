using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Arrays and spans a loop chooses in each iteration among arrays it does not compute (per-class weights
/// <c>var w = y[i] > 0 ? wPos : wNeg</c>, an if/else, a choice carried from earlier iterations): the reverse of an
/// iteration needs the same array to add into, and a span cannot be stored, so the generated code stores which one was
/// chosen (an int) and chooses again. All of these were SG0006 at the loop before. Each gradient is checked against its
/// closed form and centered differences; the Hessians against their closed forms and differences of the gradient.
/// </summary>
public class ChosenViewTests
{
    private static readonly double[] X = { 0.5, -1.0, 1.5, 0.25, -0.75, 2.0, 1.0, 1.0, -0.5, 0.5 };
    private static readonly int[] Labels = { 1, 0, 1, 1, 0 };

    /// <summary>Per-class weights chosen by the label, logistic loss: ∂/∂w_c = Σ over examples of class c of −σ(−z)·xᵢ.</summary>
    [Fact]
    public void PerClassWeightsChosenByTheLabel()
    {
        const string Source = """
                [Differentiable]
                public static double Loss(double[] wPos, double[] wNeg, [NoDerivative] double[] x, [NoDerivative] int[] y)
                {
                    double s = 0;
                    int d = wPos.Length;
                    for (int i = 0; i < y.Length; i++)
                    {
                        var w = y[i] > 0 ? wPos : wNeg;
                        double z = 0;
                        for (int k = 0; k < d; k++) z += w[k] * x[i * d + k];
                        s += Math.Log(1 + Math.Exp(-z));
                    }

                    return s;
                }
            """;
        double[] point = { 0.3, -0.2, -0.6, 0.8 };
        var expected = new double[4];
        for (int i = 0; i < Labels.Length; i++)
        {
            int offset = Labels[i] > 0 ? 0 : 2;
            double z = point[offset] * X[2 * i] + point[offset + 1] * X[2 * i + 1];
            double dz = -1 / (1 + Math.Exp(z));
            expected[offset] += dz * X[2 * i];
            expected[offset + 1] += dz * X[2 * i + 1];
        }

        Expect.Gradient(Source, "Loss", point, expected, 2, 2, X, Labels);
    }

    /// <summary>The same choice as an if/else, with second derivatives: the Hessian of Σ zᵢ² is 2·Σ xᵢxᵢᵀ in each class's block.</summary>
    [Fact]
    public void WeightsChosenByAnIfElse_HessianIsTheClosedForm()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double Loss(double[] wPos, double[] wNeg, [NoDerivative] double[] x, [NoDerivative] int[] y)
                {
                    double s = 0;
                    int d = wPos.Length;
                    for (int i = 0; i < y.Length; i++)
                    {
                        double[] w;
                        if (y[i] > 0) w = wPos; else w = wNeg;
                        double z = 0;
                        for (int k = 0; k < d; k++) z += w[k] * x[i * d + k];
                        s += z * z;
                    }

                    return s;
                }
            """;
        double[] point = { 0.3, -0.2, -0.6, 0.8 };
        var gradient = new double[4];
        var hessian = new double[4, 4];
        for (int i = 0; i < Labels.Length; i++)
        {
            int offset = Labels[i] > 0 ? 0 : 2;
            double z = point[offset] * X[2 * i] + point[offset + 1] * X[2 * i + 1];
            for (int a = 0; a < 2; a++)
            {
                gradient[offset + a] += 2 * z * X[2 * i + a];
                for (int b = 0; b < 2; b++)
                {
                    hessian[offset + a, offset + b] += 2 * X[2 * i + a] * X[2 * i + b];
                }
            }
        }

        Expect.Gradient(Source, "Loss", point, gradient, 2, 2, X, Labels);
        var f = Objective(Source, "Loss", 2, 2, X, Labels);
        AssertHessian(f, point, hessian);
    }

    /// <summary>
    /// A data array or a parameter, chosen per iteration (the data's adjoint goes to a scratch array and is dropped):
    /// ∂/∂uᵢ = 3uᵢ² where tᵢ > 1.5 chooses u, and tᵢ² otherwise (uᵢ multiplies tᵢ²).
    /// </summary>
    [Fact]
    public void DataOrParameterChosenPerIteration()
    {
        const string Source = """
                [Differentiable]
                public static double Loss(double[] u, [NoDerivative] double[] t)
                {
                    double s = 0;
                    for (int i = 0; i < t.Length; i++)
                    {
                        double[] a = t;
                        if (t[i] > 1.5) a = u;
                        s += a[i] * a[i] * u[i];
                    }

                    return s;
                }
            """;
        double[] t = { 1.0, 2.0, 0.5, 3.0 };
        double[] u = { 0.7, -0.4, 1.2, 0.9 };
        var expected = u.Select((ui, i) => t[i] > 1.5 ? 3 * ui * ui : t[i] * t[i]).ToArray();
        Expect.Gradient(Source, "Loss", u, expected, 4, t);
    }

    /// <summary>
    /// A foreach that chooses between two parameters and returns early (the case the random-program tester reported):
    /// s = Σ over tᵢ before the first tᵢ > 5 of tᵢ·a₀a₁, a = u for tᵢ > 0, else v.
    /// </summary>
    [Fact]
    public void ForeachWithAnEarlyReturn_GradientAndHessian()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double Loss(double[] u, double[] v, [NoDerivative] double[] t)
                {
                    double s = 0;
                    foreach (var ti in t)
                    {
                        double[] a = ti > 0 ? u : v;
                        if (ti > 5) return s;
                        s += a[0] * a[1] * ti;
                    }

                    return s;
                }
            """;
        double[] t = { 1.0, -2.0, 0.5, 6.0, 3.0 };
        double[] point = { 0.7, -0.4, 1.2, 0.9 };
        double sumU = 1.5, sumV = -2.0; // the tᵢ before 6.0 that choose u, and v
        var expected = new[] { sumU * point[1], sumU * point[0], sumV * point[3], sumV * point[2] };
        Expect.Gradient(Source, "Loss", point, expected, 2, 2, t);
        var hessian = new double[4, 4];
        hessian[0, 1] = hessian[1, 0] = sumU;
        hessian[2, 3] = hessian[3, 2] = sumV;
        AssertHessian(Objective(Source, "Loss", 2, 2, t), point, hessian);
    }

    /// <summary>Slices chosen under nested ifs: tᵢ > 1 reads v[1], 0 &lt; tᵢ ≤ 1 reads u[1], tᵢ ≤ 0 reads u[0]; s = Σ tᵢ·a₀².</summary>
    [Fact]
    public void SlicesChosenUnderNestedIfs()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double Loss(double[] u, double[] v, [NoDerivative] double[] t)
                {
                    double s = 0;
                    for (int i = 0; i < t.Length; i++)
                    {
                        Span<double> a = u;
                        if (t[i] > 0) { if (t[i] > 1) a = v.AsSpan(1); else a = u.AsSpan(1); }
                        s += a[0] * a[0] * t[i];
                    }

                    return s;
                }
            """;
        double[] t = { 2.0, 0.5, -1.0, 3.0, 0.25 };
        double[] point = { 0.7, -0.4, 1.2, 0.9 };
        double u0 = -1.0, u1 = 0.75, v1 = 5.0; // the sums of the tᵢ that read each element
        var expected = new[] { 2 * u0 * point[0], 2 * u1 * point[1], 0, 2 * v1 * point[3] };
        Expect.Gradient(Source, "Loss", point, expected, 2, 2, t);
        var hessian = new double[4, 4];
        hessian[0, 0] = 2 * u0;
        hessian[1, 1] = 2 * u1;
        hessian[3, 3] = 2 * v1;
        AssertHessian(Objective(Source, "Loss", 2, 2, t), point, hessian);
    }

    /// <summary>
    /// A choice carried from iteration to iteration (a = u before the loop; tᵢ > 0 switches to v, tᵢ &lt; −0.5 back to u,
    /// anything else keeps the last choice): s = Σ tᵢ·a₀a₁.
    /// </summary>
    [Fact]
    public void ChoiceCarriedFromEarlierIterations()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double Loss(double[] u, double[] v, [NoDerivative] double[] t)
                {
                    double s = 0;
                    double[] a = u;
                    for (int i = 0; i < t.Length; i++)
                    {
                        if (t[i] > 0) a = v; else if (t[i] < -0.5) a = u;
                        s += a[0] * a[1] * t[i];
                    }

                    return s;
                }
            """;
        double[] t = { -0.2, 1.0, -0.25, -3.0, -0.1, 2.0 };
        double[] point = { 0.7, -0.4, 1.2, 0.9 };

        // u for −0.2, v for 1.0 and −0.25 (kept), u for −3.0 and −0.1 (kept), v for 2.0.
        double sumU = -0.2 - 3.0 - 0.1, sumV = 1.0 - 0.25 + 2.0;
        var expected = new[] { sumU * point[1], sumU * point[0], sumV * point[3], sumV * point[2] };
        Expect.Gradient(Source, "Loss", point, expected, 2, 2, t);
        var hessian = new double[4, 4];
        hessian[0, 1] = hessian[1, 0] = sumU;
        hessian[2, 3] = hessian[3, 2] = sumV;
        AssertHessian(Objective(Source, "Loss", 2, 2, t), point, hessian);
    }

    /// <summary>
    /// Layers that choose their input (x in the first, the hidden array after) and swap two arrays, with second
    /// derivatives (SG0018 before: see KnownGeneratorBugTests.LayersThatSwapTheirArraysAndChooseTheInputFromX for the
    /// gradient against backpropagation): the Hessian is symmetric and agrees with centered differences of the gradient.
    /// </summary>
    [Fact]
    public void LayersThatSwapTheirArrays_HessianAgreesWithDifferencesOfTheGradient()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double Deep(double[] w, double[] x)
                {
                    int n = x.Length;
                    double[] h = new double[n], next = new double[n];
                    for (int l = 0; l < 3; l++)
                    {
                        var input = l == 0 ? x : h;
                        for (int j = 0; j < n; j++)
                        {
                            double z = 0;
                            for (int k = 0; k < n; k++) z += w[(l * n + j) * n + k] * input[k];
                            next[j] = Math.Tanh(z);
                        }

                        (h, next) = (next, h);
                    }

                    double s = 0;
                    for (int j = 0; j < n; j++) s += h[j] * h[j];
                    return s;
                }
            """;
        var f = Objective(Source, "Deep", 12, 2);
        var point = Enumerable.Range(0, 14).Select(i => Math.Sin(1.7 * i + 0.3)).ToArray();
        var h = new double[14 * 14];
        f.Hessian(point, h);
        for (int i = 0; i < 14; i++)
        {
            for (int j = 0; j < i; j++)
            {
                Assert.True(Math.Abs(h[i * 14 + j] - h[j * 14 + i]) <= 1e-12 * (1 + Math.Abs(h[i * 14 + j])), $"H[{i},{j}] = {h[i * 14 + j]:R}, H[{j},{i}] = {h[j * 14 + i]:R}");
            }
        }

        Assert.Contains(h, v => Math.Abs(v) > 1e-3);
        GradientCheck.Check(f, point, Expect.Tight).ThrowIfFailed();
        GradientCheck.CheckHessian(f, point, Expect.Tight).ThrowIfFailed();
    }

    /// <summary>
    /// A recurrent network written with its hidden states in a local jagged array (hs[t + 1] = new double[n]), with
    /// second derivatives: the Hessian-vector product pushed a null literal onto a stack of arrays, and the generated file
    /// had warning CS8625 (an error for a project with TreatWarningsAsErrors). It now compiles with no warning
    /// (Expect.Compiles), and the gradient and the Hessian agree with centered differences.
    /// </summary>
    [Fact]
    public void HiddenStatesInALocalJaggedArray_CompileWithoutWarnings()
    {
        const string Source = """
                [Differentiable(Hessian = true)]
                public static double Rnn(double[] wh, double[] wx, [NoDerivative] double[][] xs)
                {
                    int n = 2;
                    int steps = xs.Length;
                    var hs = new double[steps + 1][];
                    hs[0] = new double[n];
                    for (int t = 0; t < steps; t++)
                    {
                        hs[t + 1] = new double[n];
                        for (int j = 0; j < n; j++)
                        {
                            double z = 0;
                            for (int k = 0; k < n; k++) z += wh[j * n + k] * hs[t][k] + wx[j * n + k] * xs[t][k];
                            hs[t + 1][j] = Math.Tanh(z);
                        }
                    }

                    double s = 0;
                    for (int t = 1; t <= steps; t++) s += hs[t][0] * hs[t][1];
                    return s;
                }
            """;
        double[][] xs = { new[] { 0.5, -1.0 }, new[] { 1.5, 0.2 }, new[] { -0.3, 0.8 } };
        var f = Objective(Source, "Rnn", 4, 4, xs);
        var point = Enumerable.Range(0, 8).Select(i => Math.Sin(1.3 * i + 0.2)).ToArray();
        GradientCheck.Check(f, point, Expect.Tight).ThrowIfFailed();
        GradientCheck.CheckHessian(f, point, Expect.Tight).ThrowIfFailed();
    }

    private static DifferentiableFunction Objective(string members, string method, params object[] arguments)
    {
        var assembly = Expect.Compiles(Harness.InClass(members));
        var factory = assembly.GetType("Demo.C")!.GetMethod(method + "Objective", BindingFlags.Public | BindingFlags.Static)!;
        return (DifferentiableFunction)factory.Invoke(null, arguments)!;
    }

    private static void AssertHessian(DifferentiableFunction f, double[] point, double[,] expected)
    {
        int n = point.Length;
        var h = new double[n * n];
        f.Hessian(point, h);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                Assert.True(Math.Abs(h[i * n + j] - expected[i, j]) <= 1e-12 * (1 + Math.Abs(expected[i, j])), $"H[{i},{j}]: generated {h[i * n + j]:R}, expected {expected[i, j]:R}");
            }
        }

        GradientCheck.CheckHessian(f, point, Expect.Tight).ThrowIfFailed();
    }
}
