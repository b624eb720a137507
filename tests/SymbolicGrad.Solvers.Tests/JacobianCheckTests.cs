namespace SymbolicGrad.Solvers.Tests;

public class JacobianCheckTests
{
    /// <summary>r = (x₀x₁, sin x₀ + x₂², exp(x₁ − x₂)) with its Jacobian; <paramref name="wrong"/> corrupts ∂r₁/∂x₂.</summary>
    private static LeastSquaresFunction Function(bool wrong = false, bool mismatchedResiduals = false) => new(
        3,
        3,
        (x, r) =>
        {
            r[0] = x[0] * x[1];
            r[1] = Math.Sin(x[0]) + (x[2] * x[2]);
            r[2] = Math.Exp(x[1] - x[2]);
        },
        (x, r, j) =>
        {
            r[0] = x[0] * x[1];
            r[1] = Math.Sin(x[0]) + (x[2] * x[2]) + (mismatchedResiduals ? 1e-3 : 0);
            r[2] = Math.Exp(x[1] - x[2]);
            j[0] = x[1];
            j[1] = x[0];
            j[2] = 0;
            j[3] = Math.Cos(x[0]);
            j[4] = 0;
            j[5] = wrong ? 3 * x[2] : 2 * x[2];
            j[6] = 0;
            j[7] = Math.Exp(x[1] - x[2]);
            j[8] = -Math.Exp(x[1] - x[2]);
        },
        "r",
        ["a", "b", "c"]);

    [Fact]
    public void ACorrectJacobianPasses()
    {
        var check = GradientCheck.CheckJacobian(Function(), [0.3, -0.7, 1.1]);
        Assert.True(check.Passed, check.ToString());
        Assert.Equal((3, 3), (check.RowCount, check.ColumnCount));
        Assert.Equal(Math.Cos(0.3), check[1, 0].Numeric, 1e-8);
        Assert.Contains("passed", check.ToString());
        check.ThrowIfFailed();
    }

    [Fact]
    public void AWrongEntryIsNamedByRowAndColumn()
    {
        var check = GradientCheck.CheckJacobian(Function(wrong: true), [0.3, -0.7, 1.1]);
        Assert.False(check.Passed);
        Assert.Equal((1, 2), (check.Worst.Row, check.Worst.Column));
        Assert.Equal("c", check.Worst.ParameterName);
        Assert.Equal(3.3, check.Worst.Analytic, 12);
        Assert.Equal(2.2, check.Worst.Numeric, 8);
        Assert.Single(check.Entries, e => !e.Passed);
        string table = check.ToString();
        Assert.Contains("FAILED (worst: ∂r[1]/∂c at row 1, column 2", table);
        Assert.Contains("1 of 9 entries fail", table);
        Assert.Contains("FAIL", table.Split('\n')[3]); // the worst entry heads the table
        var e = Assert.Throws<JacobianCheckException>(() => check.ThrowIfFailed());
        Assert.Same(check, e.Result);
    }

    [Fact]
    public void ResidualsThatDisagreeFailTheCheck()
    {
        var check = GradientCheck.CheckJacobian(Function(mismatchedResiduals: true), [0.3, -0.7, 1.1]);
        Assert.False(check.ResidualsAgree);
        Assert.False(check.Passed);
        Assert.Equal(1, check.WorstResidualMismatch);
        Assert.Contains("residual mismatch: r[1]", check.ToString());
    }

    [Fact]
    public void RichardsonTightensTheNumericColumns()
    {
        var plain = GradientCheck.CheckJacobian(Function(), [0.3, -0.7, 1.1]);
        var richardson = GradientCheck.CheckJacobian(Function(), [0.3, -0.7, 1.1], new GradientCheckOptions { Richardson = true });
        Assert.True(richardson.Entries.Max(e => e.AbsoluteError) < plain.Entries.Max(e => e.AbsoluteError));
    }

    [Fact]
    public void MisuseIsRefused()
    {
        Assert.Contains("takes 3 parameters but x has length 2", Assert.Throws<ArgumentException>(() => GradientCheck.CheckJacobian(Function(), [1.0, 2.0])).Message);
        Assert.Contains("x[1] is NaN", Assert.Throws<ArgumentException>(() => GradientCheck.CheckJacobian(Function(), [1.0, double.NaN, 0])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientCheck.CheckJacobian(Function(), [1.0, 2, 3], new GradientCheckOptions { StepScale = 0 }));
    }
    /// <summary>
    /// A check at a point outside the function's domain, or so near its edge that a difference step crosses it, said
    /// only "|error| NaN vs tolerance NaN" (red-team pass rt-mgh, #10: log and √ residuals checked at x₀ = 1e-9 and
    /// at x₀ &lt; 0). The report now says which number is not finite and why.
    /// </summary>
    [Fact]
    public void ANotFiniteCheckSaysWhy()
    {
        var domain = new LeastSquaresFunction(
            2,
            2,
            (x, r) => { r[0] = Math.Log(x[0]) - 1; r[1] = Math.Cbrt(x[1]) - 2; },
            (x, r, j) =>
            {
                r[0] = Math.Log(x[0]) - 1;
                r[1] = Math.Cbrt(x[1]) - 2;
                j[0] = 1 / x[0];
                j[1] = 0;
                j[2] = 0;
                j[3] = 1 / (3 * Math.Cbrt(x[1]) * Math.Cbrt(x[1]));
            },
            "domain",
            ["a", "b"]);
        string outside = GradientCheck.CheckJacobian(domain, [-1.0, 1.0]).ToString();
        Assert.Contains("\nr[0](x) is NaN: derivatives can only be checked where the function is finite (is x outside its domain?)\n", outside);
        string edge = GradientCheck.CheckJacobian(domain, [1e-9, 1.0]).ToString();
        Assert.Contains("\nthe numeric ∂r[0]/∂a is NaN: r[0] is not finite at a point x ± h·e the differences evaluate (x is near the edge of its domain", edge);
        Assert.DoesNotContain("is NaN", GradientCheck.CheckJacobian(domain, [1.0, 1.0]).ToString());
        string kink = GradientCheck.CheckJacobian(domain, [1.0, 0.0]).ToString();
        Assert.Contains("\nthe analytic ∂r[1]/∂b is Infinity where r[1] is finite: a derivative that does not exist at x", kink);

        var f = new DifferentiableFunction(
            1,
            p => Math.Sqrt(p[0]),
            (p, g) =>
            {
                g[0] = 0.5 / Math.Sqrt(p[0]);
                return Math.Sqrt(p[0]);
            });
        Assert.Contains("\nf(x) is NaN: derivatives can only be checked where f is finite (is x outside its domain?)\n", GradientCheck.Check(f, [-1.0]).ToString());
        Assert.Contains("\nthe numeric derivative for x[0] is NaN: f is not finite at a point x ± h·e the differences evaluate", GradientCheck.Check(f, [1e-12]).ToString());
        var cbrt = new DifferentiableFunction(
            1,
            p => Math.Cbrt(p[0]),
            (p, g) =>
            {
                g[0] = 1 / (3 * Math.Cbrt(p[0]) * Math.Cbrt(p[0]));
                return Math.Cbrt(p[0]);
            });
        Assert.Contains("\nthe analytic derivative for x[0] is Infinity where f is finite", GradientCheck.Check(cbrt, [0.0]).ToString());
    }
}
