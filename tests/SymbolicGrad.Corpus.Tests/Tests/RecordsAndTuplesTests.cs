namespace SymbolicGrad.Corpus.Tests;

/// <summary>Record structs and tuples as data and locals, against closed forms and numeric gradients at two points each.</summary>
public class RecordsAndTuplesTests
{
    [Theory]
    [InlineData(0.3, -0.2)]
    [InlineData(-1.1, 0.7)]
    public void RecordStructData(double w, double b)
    {
        var data = new[] { new Observation(0.5, 1.0), new Observation(-1.0, 0.2), new Observation(2.0, 3.1) };
        double dw = data.Sum(s => 2 * (w * s.X + b - s.Y) * s.X) / data.Length;
        double db = data.Sum(s => 2 * (w * s.X + b - s.Y)) / data.Length;
        Verify.Both(RecordsAndTuples.RecordDataObjective(data), new[] { w, b }, new[] { dw, db });
    }

    [Theory]
    [InlineData(0.1, 0.2, 1.5, -0.3, 0.4)]
    [InlineData(-1.0, 0.5, 0.5, 0.7, -0.2)]
    public void PositionalRecordStructLocal(double x0, double y0, double x1, double y1, double bend) =>
        Verify.Numeric(RecordsAndTuples.PathLengthObjective(), new[] { x0, y0, x1, y1, bend });

    [Theory]
    [InlineData(0.2)]
    [InlineData(-1.3)]
    public void TupleArrayElementDeconstructed(double a)
    {
        var pairs = new[] { (1.0, 2.0), (0.5, 1.0), (-0.3, 0.25) };
        Verify.Both(RecordsAndTuples.PairLossObjective(pairs), new[] { a }, new[] { pairs.Sum(p => 2 * p.Item2 * (a - p.Item1)) });
    }

    /// <summary>(a·1 + b·2 + a·b·0.5) / 3.5.</summary>
    [Theory]
    [InlineData(0.2, 0.9)]
    [InlineData(-1.4, 0.3)]
    public void LocalArrayOfTuples(double a, double b) =>
        Verify.Both(RecordsAndTuples.WeightedAverageObjective(), new[] { a, b }, new[] { (1 + 0.5 * b) / 3.5, (2 + 0.5 * a) / 3.5 });
}
