namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// The activations of a network kept in a local array of arrays whose first row is the input (acts[0] = x; then
/// acts[l + 1] = Layer(W[l], acts[l])), as a first draft of backpropagation keeps them (rt-ml red-team pass, issue #11).
/// </summary>
public class ActivationListTests
{
    /// <summary>
    /// The gradient threw NullReferenceException: the adjoint row of the data row (acts[0] = x, a [NoDerivative]
    /// parameter or a row of one) was never created, and the reverse of the first layer's read of acts[0] added into
    /// it. It is now a row nobody reads. With Hessian = true the method was SG0006 'forward mode of an array of arrays
    /// that mixes data and differentiated arrays', at the method's name; the data row's tangent is now zeros.
    /// </summary>
    [Fact]
    public void ADataRowAmongDifferentiatedRows()
    {
        var assembly = KnownBugs.Expect.Compiles("using System.Linq;\n" + Harness.InClass("""
                static double[] Layer(double[] w, double[] a)
                {
                    var z = new double[a.Length];
                    for (int j = 0; j < a.Length; j++) z[j] = Math.Tanh(w[j] * a[j]);
                    return z;
                }

                [Differentiable(Hessian = true)]
                public static double Activations(double[][] W, [NoDerivative] double[] x)
                {
                    var acts = new double[W.Length + 1][];
                    acts[0] = x;
                    for (int l = 0; l < W.Length; l++) acts[l + 1] = Layer(W[l], acts[l]);
                    return acts[^1].Sum(v => v * v);
                }

                [Differentiable(Hessian = true)]
                public static double PerExample(double[][] W, [NoDerivative] double[][] xs)
                {
                    double total = 0;
                    foreach (var x in xs)
                    {
                        var acts = new double[W.Length + 1][];
                        acts[0] = x;
                        for (int l = 0; l < W.Length; l++)
                        {
                            var z = new double[acts[l].Length];
                            for (int j = 0; j < z.Length; j++) z[j] = Math.Tanh(W[l][j] * acts[l][j] + acts[l][(j + 1) % z.Length]);
                            acts[l + 1] = z;
                        }

                        total += acts[W.Length].Sum();
                    }

                    return total;
                }
            """));
        var c = assembly.GetType("Demo.C")!;
        double[] x = { 0.5, -1.5 };
        double[] w = { 0.8, 0.3 };

        // One layer: f = Σ tanh(w_j x_j)², ∂f/∂w_j = 2 t_j (1 − t_j²) x_j.
        var one = (DifferentiableFunction)c.GetMethod("ActivationsObjective", new[] { typeof(int[]), typeof(double[]) })!.Invoke(null, new object[] { new[] { 2 }, x })!;
        var g = new double[2];
        double t0 = Math.Tanh(w[0] * x[0]), t1 = Math.Tanh(w[1] * x[1]);
        Assert.Equal(t0 * t0 + t1 * t1, one.ValueAndGradient(w, g), 12);
        Assert.Equal(2 * t0 * (1 - t0 * t0) * x[0], g[0], 12);
        Assert.Equal(2 * t1 * (1 - t1 * t1) * x[1], g[1], 12);

        // Two layers and per-example activations: numeric gradients and Hessians.
        var two = (DifferentiableFunction)c.GetMethod("ActivationsObjective", new[] { typeof(int[]), typeof(double[]) })!.Invoke(null, new object[] { new[] { 2, 2 }, x })!;
        var perExample = (DifferentiableFunction)c.GetMethod("PerExampleObjective", new[] { typeof(int[]), typeof(double[][]) })!.Invoke(null, new object[] { new[] { 2, 2 }, new[] { x, new[] { 2.0, 0.25 } } })!;
        foreach (var f in new[] { two, perExample })
        {
            double[] point = { 0.8, 0.3, -0.6, 1.1 };
            var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
            Assert.True(check.Passed, check.ToString());
            var hessian = GradientCheck.CheckHessian(f, point);
            Assert.True(hessian.Passed, hessian.ToString());
        }
    }

    /// <summary>
    /// The same with the input row read from a static field or a data object's member (acts[0] = Inputs, acts[0] =
    /// h.X): arrays that code run as written returns had no adjoint row either (NullReferenceException).
    /// </summary>
    [Theory]
    [InlineData("Inputs")]
    [InlineData("h.X")]
    public void AnInputRowFromAFieldOrADataObject(string input)
    {
        var assembly = KnownBugs.Expect.Compiles("using System.Linq;\n" + Harness.InClass("""
                public class Holder { public double[] X = { 0.5, -1.5 }; }
                public static readonly double[] Inputs = { 0.5, -1.5 };

                [Differentiable(Hessian = true)]
                public static double Activations(double[][] W, [NoDerivative] Holder h)
                {
                    var acts = new double[W.Length + 1][];
                    acts[0] = INPUT;
                    for (int l = 0; l < W.Length; l++)
                    {
                        var z = new double[acts[l].Length];
                        for (int j = 0; j < z.Length; j++) z[j] = Math.Tanh(W[l][j] * acts[l][j]);
                        acts[l + 1] = z;
                    }

                    return acts[^1].Sum(v => v * v);
                }
            """.Replace("INPUT", input, StringComparison.Ordinal)));
        var c = assembly.GetType("Demo.C")!;
        var holder = Activator.CreateInstance(c.GetNestedType("Holder")!)!;
        var one = (DifferentiableFunction)c.GetMethod("ActivationsObjective", new[] { typeof(int[]), holder.GetType() })!.Invoke(null, new[] { new[] { 2 }, holder })!;
        double[] w = { 0.8, 0.3 };
        var g = new double[2];
        double t0 = Math.Tanh(w[0] * 0.5), t1 = Math.Tanh(w[1] * -1.5);
        Assert.Equal(t0 * t0 + t1 * t1, one.ValueAndGradient(w, g), 12);
        Assert.Equal(2 * t0 * (1 - t0 * t0) * 0.5, g[0], 12);
        Assert.Equal(2 * t1 * (1 - t1 * t1) * -1.5, g[1], 12);
        var two = (DifferentiableFunction)c.GetMethod("ActivationsObjective", new[] { typeof(int[]), holder.GetType() })!.Invoke(null, new[] { new[] { 2, 2 }, holder })!;
        double[] point = { 0.8, 0.3, -0.6, 1.1 };
        var check = GradientCheck.Check(two, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());
        var hessian = GradientCheck.CheckHessian(two, point);
        Assert.True(hessian.Passed, hessian.ToString());
    }
}
