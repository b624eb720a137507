// Natural first drafts with record structs and tuples as data and locals (#9): a [NoDerivative] array of record
// structs read by property, a positional record struct built as a local, a tuple array element deconstructed
// (`var (v, wt) = pairs[i]`), and a local array of tuples enumerated with deconstruction (held by the generator as
// one array per element of the tuple).
namespace SymbolicGrad.Corpus;

public readonly record struct Observation(double X, double Y);

public readonly record struct Midpoint(double X, double Y);

public static partial class RecordsAndTuples
{
    [Differentiable]
    public static double RecordData(double w, double b, [NoDerivative] Observation[] data)
    {
        double loss = 0;
        foreach (var s in data)
        {
            double r = w * s.X + b - s.Y;
            loss += r * r;
        }

        return loss / data.Length;
    }

    private static double Sq(double v) => v * v;

    [Differentiable]
    public static double PathLength(double x0, double y0, double x1, double y1, double bend)
    {
        var mid = new Midpoint((x0 + x1) / 2, (y0 + y1) / 2 + bend);
        return Math.Sqrt(Sq(mid.X - x0) + Sq(mid.Y - y0)) + Math.Sqrt(Sq(x1 - mid.X) + Sq(y1 - mid.Y));
    }

    [Differentiable]
    public static double PairLoss(double a, [NoDerivative] (double Value, double Weight)[] pairs)
    {
        double loss = 0;
        for (int i = 0; i < pairs.Length; i++)
        {
            var (v, wt) = pairs[i];
            loss += wt * (a - v) * (a - v);
        }

        return loss;
    }

    [Differentiable]
    public static double WeightedAverage(double a, double b)
    {
        var pairs = new (double Value, double Weight)[] { (a, 1.0), (b, 2.0), (a * b, 0.5) };
        double num = 0, den = 0;
        foreach (var (v, wt) in pairs)
        {
            num += wt * v;
            den += wt;
        }

        return num / den;
    }
}
