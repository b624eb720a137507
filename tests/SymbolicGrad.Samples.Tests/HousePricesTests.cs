using SymbolicGrad.Samples.HousePrices;

namespace SymbolicGrad.Samples.Tests;

public class HousePricesTests
{
    private static readonly Lazy<SampleOutput> Output = new(() => SampleHarness.Run(HousePricesSample.Run, "HousePrices"));

    [Fact]
    public void NormalizedDescentReachesTheClosedFormLine()
    {
        var (size, price) = HousePricesSample.LoadHouses();
        Assert.Equal(24, size.Length);
        var (slope, intercept) = Datasets.LeastSquaresLine(size, price);
        var row = Output.Value.Row("normalized sizes, η = 0.1");
        Assert.Equal(slope, double.Parse(row[2], System.Globalization.CultureInfo.InvariantCulture), 3);
        Assert.Equal(intercept, double.Parse(row[3], System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.StartsWith("converges", row[6], StringComparison.Ordinal);
    }

    [Fact]
    public void RawSizesDivergeOrCrawl()
    {
        Assert.StartsWith("diverges", Output.Value.Row("raw sizes, η = 1e-4")[6], StringComparison.Ordinal);
        var crawl = Output.Value.Row("raw sizes, η = 2e-5");
        Assert.StartsWith("crawling", crawl[6], StringComparison.Ordinal);
        // After hundreds of steps the intercept has hardly moved from 0 towards the least-squares 43.5.
        Assert.True(Math.Abs(double.Parse(crawl[3], System.Globalization.CultureInfo.InvariantCulture)) < 5);
    }

    [Fact]
    public void TheFirstStepIsTheTextbookUpdate()
    {
        // Step 0 from (0, 0): ∂L/∂w = −2·mean(size·price), ∂L/∂b = −2·mean(price), computed here without the generator.
        var (size, price) = HousePricesSample.LoadHouses();
        double dW = -2 * size.Zip(price, (s, p) => s * p).Average();
        double dB = -2 * price.Average();
        Regression.MeanSquaredErrorGradient(0, 0, size, price, out double gW, out double gB);
        Assert.Equal(dW, gW, 1e-9 * Math.Abs(dW));
        Assert.Equal(dB, gB, 1e-9 * Math.Abs(dB));
        var row = Output.Value.Row("0", "the first steps, by hand");
        Assert.Equal(Report.Sig(-HousePricesSample.RawCrawlingRate * dW), row[5]);
    }

    [Fact]
    public void CurvaturesOfAQuadraticComeOutExactly()
    {
        // L = mean((w x + b − y)²) has Hessian 2·[[mean x², mean x], [mean x, 1]].
        double[] x = [1, 2, 3, 4], y = [0, 0, 0, 0];
        var (largest, smallest) = HousePricesSample.Curvatures(Regression.MeanSquaredErrorObjective(x, y), 1);
        double a = 2 * 7.5, b = 2 * 2.5, c = 2.0;
        double mid = (a + c) / 2, r = Math.Sqrt((a - c) * (a - c) / 4 + b * b);
        Assert.Equal(mid + r, largest, 1e-9);
        Assert.Equal(mid - r, smallest, 1e-9);
    }

    [Fact]
    public void ABadCsvLineIsNamed()
    {
        var error = Assert.Throws<FormatException>(() => HousePricesSample.ParseHouses("size_m2,price_k\n100,200\n120;abc\n"));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => HousePricesSample.ParseHouses("size_m2,price_k\n"));
    }

    [Fact]
    public void WritesItsFigures()
    {
        SampleHarness.AssertFigures(Output.Value, "fit-steps", "loss-curves", "landscapes");
        string dir = Output.Value.Directory;
        SampleHarness.AssertSvg(Path.Combine(dir, "fit-steps.svg"), "houses", "after 0 steps", "least squares (closed form)", "floor area (m²)");
        SampleHarness.AssertSvg(Path.Combine(dir, "loss-curves.svg"), "raw sizes, η = 1e-4 (diverged)", "raw sizes, η = 2e-5", "normalized sizes, η = 0.1");
        SampleHarness.AssertSvg(Path.Combine(dir, "landscapes.svg"), "Raw sizes: a long, narrow valley", "Normalized sizes: a round bowl");
    }
}
