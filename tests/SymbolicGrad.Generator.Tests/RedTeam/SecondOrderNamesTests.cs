using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Bugs found by writing Moré–Garbow–Hillstrom residuals, ADBench drafts and the second-order contract as a user would
/// from the docs (issue #10, red-team pass rt-mgh): names the generated members take, and the advice for a residual
/// method that is not quite of the documented shape. Each test failed before its fix.
/// </summary>
public class SecondOrderNamesTests
{
    /// <summary>
    /// A vector-valued method gets RTangent, RJacobian and RLeastSquares, never a gradient with outputs dX, yet a data
    /// parameter named dX beside x (void R(double[] x, [NoDerivative] double[] dX, Span&lt;double&gt; r)) was SG0007 "The
    /// gradient output for 'x' would be named 'dX'", and so was a data parameter dR beside the results span r. Both
    /// now compile, with the exact Jacobian.
    /// </summary>
    [Fact]
    public void AVectorValuedMethodHasNoGradientOutputsToCollideWith()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                [Differentiable]
                public static void R(double[] x, [NoDerivative] double[] dX, Span<double> r) { r[0] = x[0] * x[1] * dX[1]; r[1] = x[1] - dX[0]; }
                [Differentiable]
                public static void S(double a, double b, [NoDerivative] double dA, [NoDerivative] double dR, Span<double> r) { r[0] = a * a * dA; r[1] = b * a + dR; }
            """));
        var type = assembly.GetType("Demo.C")!;
        double[] x = { 1.5, -2.0 }, dX = { 0.25, 3.0 };
        var r = (LeastSquaresFunction)type.GetMethod("RLeastSquares")!.Invoke(null, new object[] { 2, dX, 2 })!;
        CheckJacobian(r, x, new[] { x[0] * x[1] * dX[1], x[1] - dX[0] }, new[] { x[1] * dX[1], x[0] * dX[1], 0, 1 });
        var s = (LeastSquaresFunction)type.GetMethod("SLeastSquares")!.Invoke(null, new object[] { 3.0, 0.5, 2 })!;
        CheckJacobian(s, x, new[] { x[0] * x[0] * 3.0, x[1] * x[0] + 0.5 }, new[] { 2 * x[0] * 3.0, 0, x[1], x[0] });
    }

    /// <summary>
    /// A scalar method has no NameJacobian, yet a parameter named jacobian was SG0007 "The output of FTangent and
    /// FJacobian would be named 'jacobian'" with Hessian = true. It now compiles, with the exact Hessian.
    /// </summary>
    [Fact]
    public void AScalarMethodMayHaveAParameterNamedJacobian()
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                [Differentiable(Hessian = true)]
                public static double F(double[] jacobian) => jacobian[0] * jacobian[0] * jacobian[1];
            """));
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("FObjective")!.Invoke(null, new object[] { 2 })!;
        double[] x = { 1.5, -2.0 };
        var h = new double[4];
        f.Hessian(x, h);
        Assert.Equal(new[] { 2 * x[1], 2 * x[0], 2 * x[0], 0 }, h);
    }

    /// <summary>
    /// SG0007 for a direction or a product called them "the gradient output for 'x'" (vX is the direction of
    /// NameTangent, hvX the product of NameHessianVectorProduct), and for a scalar method's parameter named tangent it
    /// named a NameJacobian that is not generated. Each message now names what the name is for.
    /// </summary>
    [Theory]
    [InlineData("[Differentiable(Hessian = true)] public static double F(double x, double [|vX|]) => x * x * vX;",
        "The direction for 'x' (a parameter of FTangent and FHessianVectorProduct) would be named 'vX', which is the name of this parameter")]
    [InlineData("[Differentiable(Hessian = true)] public static double F(double x, double [|hvX|]) => x * x * hvX;",
        "The Hessian-vector product's output for 'x' (in FHessianVectorProduct) would be named 'hvX'")]
    [InlineData("[Differentiable] public static void R(double[] x, [NoDerivative] double[] [|vX|], Span<double> r) { r[0] = x[0] * vX[0]; }",
        "The direction for 'x' (a parameter of RTangent) would be named 'vX'")]
    [InlineData("[Differentiable(Hessian = true)] public static double F(double x, [NoDerivative] double [|tangent|]) => x * x * tangent;",
        "The output of FTangent would be named 'tangent', which is the name of this parameter")]
    [InlineData("[Differentiable] public static void R(double[] x, Span<double> [|jacobian|]) { jacobian[0] = x[0] * x[1]; }",
        "The output of RJacobian would be named 'jacobian', which is the name of this parameter")]
    public void CollisionsSayWhatTheNameIsFor(string members, string says)
    {
        Expect.Refused("    " + members, "SG0007", says);
        var run = Harness.Run(Harness.InClass("    " + members.Replace("[|", string.Empty).Replace("|]", string.Empty)));
        string message = Assert.Single(run.GeneratorDiagnostics).GetMessage();
        Assert.DoesNotContain("gradient output", message, StringComparison.Ordinal);
        Assert.DoesNotContain("FJacobian", message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A residual method written with its results in a double[] (void R(double[] x, double[] r)), in a read-only span,
    /// or with the results span before another parameter, was SG0002 "'R' returns 'void'; a [Differentiable] method must
    /// ... return void and write its results into a last Span&lt;double&gt; parameter", which it seemed to do. The advice
    /// now names the parameter and what to change; an out double[] r is that one error, not SG0004 as well.
    /// </summary>
    [Theory]
    [InlineData("[Differentiable] public static [|void|] R(double[] x, double[] r) { r[0] = x[0]; }",
        "'r' is declared as 'double[]': declare it 'Span<double> r' (callers can still pass a double[])")]
    [InlineData("[Differentiable] public static [|void|] R(double[] x, float[] r) { r[0] = (float)x[0]; }",
        "'r' is declared as 'float[]': declare it 'Span<double> r'")]
    [InlineData("[Differentiable] public static [|void|] R(double[] x, ReadOnlySpan<double> r) { }",
        "'r' is declared as 'ReadOnlySpan<double>', which cannot be written: declare it 'Span<double> r'")]
    [InlineData("[Differentiable] public static [|void|] R(double[] x, Span<double> r, [NoDerivative] double scale = 2.0) { r[0] = scale * x[0]; }",
        "'scale' comes after 'r': move 'r' to the end of the parameter list (C# then needs the parameters before it without default values)")]
    [InlineData("[Differentiable] public static [|void|] R(double[] x, out double[] r) { r = new[] { x[0] }; }",
        "'r' is declared as 'out double[]': declare it 'Span<double> r'")]
    [InlineData("[Differentiable] public static [|void|] R(double[] x, System.Collections.Generic.List<double> r) { r.Add(x[0]); }",
        "'r' is declared as 'List<double>': declare it 'Span<double> r'")]
    [InlineData("[Differentiable] public static [|void|] R(double[] x, Span<double> r, int k) { r[0] = k * x[0]; }",
        "'k' comes after 'r': move 'r' to the end of the parameter list")]
    public void AResidualMethodOfTheWrongShapeIsToldWhatToChange(string members, string says) =>
        Expect.Refused("    " + members, "SG0002", "'R' returns 'void'; a vector-valued [Differentiable] method writes its results into its last parameter, a Span<double>", says);

    /// <summary>
    /// A wrong buffer for a vector-valued method's NameJacobian or NameTangent, or for a direction or product of
    /// NameHessianVectorProduct, was said to be a gradient output ("jacobian has length 3 but r.Length × parameters has
    /// length 4: the gradient output must match its parameter"; "vX ...: the gradient output must match its parameter").
    /// Each message now says what the argument is.
    /// </summary>
    [Theory]
    [InlineData("RJacobian(new double[] { 1, 2 }, new double[2], new double[3])", "jacobian has length 3 but r.Length × parameters has length 4: the Jacobian output must have one entry per residual and parameter.")]
    [InlineData("RJacobian(new double[] { 1, 2 }, x.AsSpan(0, 2), x.AsSpan(1, 4))", "jacobian overlaps r: the Jacobian output must not share memory")]
    [InlineData("RTangent(new double[] { 1, 2 }, new double[2], new double[] { 1, 0 }, new double[3])", "tangent has length 3 but r has length 2: the tangent output must match the results.")]
    [InlineData("RTangent(new double[] { 1, 2 }, new double[2], new double[] { 1 }, new double[2])", "vX has length 1 but x has length 2: the direction must match its parameter.")]
    [InlineData("FHessianVectorProduct(new double[] { 1, 2 }, new double[] { 1, 0 }, new double[2], new double[3])", "hvX has length 3 but x has length 2: the Hessian-vector product must match its parameter.")]
    [InlineData("FHessianVectorProduct(new double[] { 1, 2 }, new double[] { 1, 0 }, x.AsSpan(0, 2), x.AsSpan(1, 2))", "the gradient output must not share memory")]
    [InlineData("FHessianVectorProduct(new double[] { 1, 2 }, new double[] { 1, 0 }, new double[1], new double[2])", "dX has length 1 but x has length 2: the gradient output must match its parameter.")]
    [InlineData("MHessianVectorProduct(new double[2, 2], new double[1, 2], new double[2, 2], new double[2, 2])", "vW is 1×2 but w is 2×2: the direction must have its parameter's shape.")]
    [InlineData("MHessianVectorProduct(new double[2, 2], new double[2, 2], new double[2, 2], new double[2, 1])", "hvW is 2×1 but w is 2×2: the Hessian-vector product must have its parameter's shape.")]
    public void BufferErrorsSayWhatTheArgumentIs(string call, string says)
    {
        var assembly = Expect.Compiles(Harness.InClass("""
                [Differentiable] public static void R(double[] x, Span<double> r) { r[0] = x[0] * x[1]; r[1] = x[1]; }
                [Differentiable(Hessian = true)] public static double F(double[] x) => x[0] * x[0] * x[1];
                [Differentiable(Hessian = true)] public static double M(double[,] w) => w[0, 0] * w[1, 1] * w[0, 1];
                public static string Message()
                {
                    var x = new double[8];
                    try { CALL; return "no exception"; }
                    catch (ArgumentException e) { return e.Message; }
                }
            """.Replace("CALL", call, StringComparison.Ordinal)));
        string message = (string)assembly.GetType("Demo.C")!.GetMethod("Message")!.Invoke(null, null)!;
        Assert.Contains(says, message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A [Differentiable] method that calls a member the generator writes (a Gauss–Newton term from RJacobian, a gradient
    /// penalty from LossGradient, a NameObjective) got no gradient and no diagnostic: the call does not bind while the
    /// generator runs, so the method was left to the compiler, and the finished compilation, which has the generated
    /// member, reported nothing at it (only CS0103 where the user called the missing NameObjective). It is now SG0006 at the
    /// call, also in a helper the method calls.
    /// </summary>
    [Theory]
    [InlineData("public static double F(double[] x) { var j = new double[4]; var r = new double[2]; [|RJacobian(x, r, j)|]; return j[0] * r[0]; }", "RJacobian", "R")]
    [InlineData("public static double F(double[] w) { var g = new double[w.Length]; double l = [|C.LossGradient(w, g)|]; return l + 0.1 * g.Sum(v => v * v); }", "LossGradient", "C.Loss")]
    [InlineData("public static double F(double x) { var f = [|LossObjective(2)|]; return x * f.Dimension; }", "LossObjective", "Loss")]
    [InlineData("public static double F(double[] w) => w[0] + Penalty(w);\n    static double Penalty(double[] w) { var g = new double[w.Length]; [|LossGradient(w, g)|]; return g.Sum(v => v * v); }", "LossGradient", "Loss")]
    public void ACallToAGeneratedMemberIsReportedThere(string method, string member, string stem) =>
        MlDraftTests.Refused(
            "using System.Linq;\n" + Harness.InClass("""
                [Differentiable] public static void R(double[] x, Span<double> r) { r[0] = 10 * (x[1] - x[0] * x[0]); r[1] = 1 - x[0]; }
                [Differentiable] public static double Loss(double[] w) => w.Sum(v => v * v * v);
                [Differentiable] METHOD
            """.Replace("METHOD", method, StringComparison.Ordinal)),
            "SG0006",
            "A call to '" + (stem.StartsWith("C.", StringComparison.Ordinal) ? "C." : string.Empty) + member + "', which SymbolicGrad generates, is not supported yet",
            "compute what you need from '" + stem + "' in this method",
            "or call '" + member + "' outside the [Differentiable] method");

    private static void CheckJacobian(LeastSquaresFunction f, double[] x, double[] residuals, double[] jacobian)
    {
        var r = new double[f.ResidualCount];
        var j = new double[f.ResidualCount * f.Dimension];
        f.Jacobian(x, r, j);
        Assert.Equal(residuals, r);
        for (int k = 0; k < j.Length; k++)
        {
            Assert.True(Math.Abs(j[k] - jacobian[k]) <= 1e-12 * (1 + Math.Abs(jacobian[k])), $"J[{k}] = {j[k]:R}, expected {jacobian[k]:R}");
        }

        var check = GradientCheck.CheckJacobian(f, x);
        Assert.True(check.Passed, check.ToString());
    }
}
