using System.Globalization;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>One row of bench/minpack/minpack_lmder.csv: MINPACK lmder's run on one MGH problem.</summary>
internal sealed record MinpackRun(int Number, string Name, int N, int M, double F0, double F, int Status, int Evaluations, int JacobianEvaluations, double[] X)
{
    public static IReadOnlyList<MinpackRun> All { get; } = Load();

    public static MinpackRun ByNumber(int number) => All.Single(r => r.Number == number);

    private static MinpackRun[] Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "minpack_lmder.csv");
        var inv = CultureInfo.InvariantCulture;
        var runs = new List<MinpackRun>();
        foreach (string line in File.ReadLines(path).Where(l => !l.StartsWith('#')).Skip(1))
        {
            // number,name,n,m,f0,f,status,nfev,njev,x — no field holds a comma.
            string[] c = line.Split(',');
            runs.Add(new MinpackRun(
                int.Parse(c[0], inv), c[1], int.Parse(c[2], inv), int.Parse(c[3], inv), double.Parse(c[4], inv), double.Parse(c[5], inv),
                int.Parse(c[6], inv), int.Parse(c[7], inv), int.Parse(c[8], inv), c[9].Split(' ').Select(v => double.Parse(v, inv)).ToArray()));
        }

        return runs.ToArray();
    }
}
