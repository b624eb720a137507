namespace SymbolicGrad.Tests;

/// <summary>
/// n² past what an array holds (stop 32, red-team): with n = 65,536 the Hessian's length check compared with n·n, which
/// wraps to 0 in int, so an empty result passed the check and Slice threw; n = 46,341 printed "-2147479015 entries".
/// </summary>
public class SizeLimitTests
{
    private static DifferentiableFunction SumOfSquares(int n) => new(
        n,
        x =>
        {
            double s = 0;
            foreach (double v in x)
            {
                s += v * v;
            }

            return s;
        },
        (x, g) =>
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                g[i] = 2 * x[i];
                s += x[i] * x[i];
            }

            return s;
        },
        hessianVectorProduct: (x, v, r) =>
        {
            for (int i = 0; i < v.Length; i++)
            {
                r[i] = 2 * v[i];
            }
        });

    [Theory]
    [InlineData(65_536)]
    [InlineData(46_341)]
    public void ADenseHessianTooLargeForAnArraySaysSo(int n)
    {
        var f = SumOfSquares(n);
        var x = new double[n];
        var error = Assert.Throws<NotSupportedException>(() => f.Hessian(x, Span<double>.Empty));
        Assert.Contains(((long)n * n).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Contains("HessianVectorProduct", error.Message);

        // Its products still work.
        var v = new double[n];
        var r = new double[n];
        v[7] = 1;
        f.HessianVectorProduct(x, v, r);
        Assert.Equal(2.0, r[7]);
    }

    [Fact]
    public void ASmallHessianStillChecksItsLength()
    {
        var f = SumOfSquares(3);
        var error = Assert.Throws<ArgumentException>(() => f.Hessian(new double[3], new double[8]));
        Assert.Contains("9 entries", error.Message);
        var h = new double[9];
        f.Hessian(new double[3], h);
        Assert.Equal(new[] { 2.0, 0, 0, 0, 2, 0, 0, 0, 2 }, h);
    }

    [Fact]
    public void ADenseHessianDelegateForTooManyParametersIsRefusedAtConstruction()
    {
        var error = Assert.Throws<ArgumentException>(() => new DifferentiableFunction(65_536, _ => 0, (_, _) => 0, hessian: (_, _) => { }));
        Assert.Equal("hessian", error.ParamName);
    }

    [Fact]
    public void PackedNamesNeedsOneLengthPerName()
    {
        var error = Assert.Throws<ArgumentException>(() => DifferentiableFunction.PackedNames(["a", "b"], [1]));
        Assert.Equal("lengths", error.ParamName);
        Assert.Equal(new[] { "a[0]", "b" }, DifferentiableFunction.PackedNames(["a", "b"], [1, -1]));
    }
}
