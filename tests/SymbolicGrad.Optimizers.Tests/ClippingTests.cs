namespace SymbolicGrad.Optimizers.Tests;

public class ClippingTests
{
    [Fact]
    public void GlobalNormClipReturnsTheUnclippedNormAndScalesByMaxOverNormPlusOneMillionth()
    {
        double[] g = [3.0, -4.0];
        double norm = GradientClipping.ClipByGlobalNorm(g, maxNorm: 1.0);
        Assert.Equal(5.0, norm);
        Assert.Equal(3.0 * (1.0 / (5.0 + 1e-6)), g[0], 15);
        Assert.Equal(-4.0 * (1.0 / (5.0 + 1e-6)), g[1], 15);
        Assert.True(Math.Sqrt(g[0] * g[0] + g[1] * g[1]) < 1.0);
    }

    [Fact]
    public void GlobalNormClipLeavesSmallGradientsAlone()
    {
        double[] g = [3.0, -4.0];
        Assert.Equal(5.0, GradientClipping.ClipByGlobalNorm(g, maxNorm: 10.0));
        Assert.Equal([3.0, -4.0], g);
    }

    [Fact]
    public void OtherNorms()
    {
        double[] g = [3.0, -4.0];
        Assert.Equal(4.0, GradientClipping.ClipByGlobalNorm(g, 2.0, double.PositiveInfinity));
        Assert.Equal(3.0 * 2 / (4 + 1e-6), g[0], 15);
        double[] h = [3.0, -4.0];
        Assert.Equal(7.0, GradientClipping.ClipByGlobalNorm(h, 100, 1.0));
        Assert.Equal(Math.Pow(27 + 64, 1.0 / 3), GradientClipping.Norm([3.0, -4.0], 3.0), 14);
    }

    [Fact]
    public void InfiniteNormGivesNaNLikePyTorch()
    {
        double[] g = [double.PositiveInfinity, 1.0];
        Assert.Equal(double.PositiveInfinity, GradientClipping.ClipByGlobalNorm(g, 1.0));
        Assert.True(double.IsNaN(g[0]));
        Assert.Equal(0.0, g[1]);
    }

    [Fact]
    public void ValueClip()
    {
        double[] g = [-3.0, 0.5, 2.0, double.NaN];
        GradientClipping.ClipByValue(g, 1.0);
        Assert.Equal(-1.0, g[0]);
        Assert.Equal(0.5, g[1]);
        Assert.Equal(1.0, g[2]);
        Assert.True(double.IsNaN(g[3]));
    }

    [Fact]
    public void BadArguments()
    {
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(new double[1], -1)).ParamName);
        Assert.Equal("normType", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClip.ByGlobalNorm(1, 0)).ParamName);
        Assert.Equal("clipValue", Assert.Throws<ArgumentOutOfRangeException>(() => GradientClip.ByValue(double.NaN)).ParamName);
    }
}
