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
}
