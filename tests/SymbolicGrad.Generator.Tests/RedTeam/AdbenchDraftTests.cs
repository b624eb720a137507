using System.Reflection;
using SymbolicGrad.Generator.Tests.KnownBugs;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// ADBench's four objectives (GMM, bundle adjustment, hand tracking, LSTM) written as first drafts in several styles
/// each (red-team pass rt-adbench): jagged and flat arrays, spans and slices, static, generic and instance helpers,
/// small structs for vectors and rotations, logsumexp with a max shift, Rodrigues with its small-angle branch, per-step
/// arrays in the LSTM, a skinning loop with a 3×4 product helper. The drafts of one objective pack their parameters
/// alike, so their gradients (and Jacobians) must agree with each other, with numeric differences and with closed
/// forms of small cases; the residual forms are solved by Levenberg–Marquardt on small synthetic instances.
/// </summary>
public class AdbenchDraftTests
{
    private static Type Compile(string members) => Expect.Compiles("using System.Linq;\nusing System.Numerics;\n" + Harness.InClass(members)).GetType("Demo.C")!;

    /// <summary>Calls the overload whose parameter types are those of the arguments (a jagged parameter's factory has two).</summary>
    private static T Call<T>(Type type, string name, params object[] arguments) =>
        (T)type.GetMethod(name, BindingFlags.Public | BindingFlags.Static, arguments.Select(a => a.GetType()).ToArray())!.Invoke(null, arguments)!;

    private static double[] Gradient(DifferentiableFunction f, double[] x, out double value)
    {
        var g = new double[x.Length];
        value = f.ValueAndGradient(x, g);
        return g;
    }

    private static void Close(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static double[] RandomVector(Random random, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => scale * ((2 * random.NextDouble()) - 1)).ToArray();

    // ---------------------------------------------------------------- GMM

    private const string GmmDrafts = """
            // Draft 1: jagged arrays, a LINQ Max in the logsumexp helper, Q·(x − μ) built in a new array per component.
            [Differentiable(Hessian = true)]
            public static double GmmJagged(double[] alphas, double[][] means, double[][] icf, [NoDerivative] double[][] x, [NoDerivative] double wishartGamma, [NoDerivative] int wishartM)
            {
                int k = alphas.Length, d = x[0].Length, n = x.Length;
                double total = 0;
                var terms = new double[k];
                for (int i = 0; i < n; i++)
                {
                    for (int c = 0; c < k; c++)
                    {
                        double sumQ = 0;
                        for (int j = 0; j < d; j++) sumQ += icf[c][j];
                        var xc = new double[d];
                        for (int j = 0; j < d; j++) xc[j] = x[i][j] - means[c][j];
                        var qx = new double[d];
                        for (int j = 0; j < d; j++) qx[j] = Math.Exp(icf[c][j]) * xc[j];
                        int li = d;
                        for (int col = 0; col < d; col++)
                            for (int row = col + 1; row < d; row++)
                                qx[row] += icf[c][li++] * xc[col];
                        double sq = 0;
                        foreach (var v in qx) sq += v * v;
                        terms[c] = alphas[c] + sumQ - 0.5 * sq;
                    }

                    total += LogSumExp(terms);
                }

                double prior = 0;
                for (int c = 0; c < k; c++)
                {
                    double fro = 0, sumQ = 0;
                    for (int j = 0; j < d; j++) { double e = Math.Exp(icf[c][j]); fro += e * e; sumQ += icf[c][j]; }
                    for (int j = d; j < icf[c].Length; j++) fro += icf[c][j] * icf[c][j];
                    prior += 0.5 * wishartGamma * wishartGamma * fro - wishartM * sumQ;
                }

                return total - n * LogSumExp(alphas) + prior;
            }

            static double LogSumExp(double[] v)
            {
                double m = v.Max();
                double s = 0;
                foreach (var e in v) s += Math.Exp(e - m);
                return m + Math.Log(s);
            }

            // Draft 2: flat arrays with index arithmetic, spans and slices for the helpers, logsumexp inlined with Math.Max.
            [Differentiable]
            public static double GmmFlat(ReadOnlySpan<double> alphas, ReadOnlySpan<double> means, ReadOnlySpan<double> icf, [NoDerivative] double[] x, [NoDerivative] int d, [NoDerivative] double wishartGamma, [NoDerivative] int wishartM)
            {
                int k = alphas.Length, n = x.Length / d, tri = d * (d + 1) / 2;
                Span<double> xc = stackalloc double[d];
                Span<double> qx = stackalloc double[d];
                Span<double> mains = stackalloc double[k];
                double slse = 0;
                for (int i = 0; i < n; i++)
                {
                    double mx = double.NegativeInfinity;
                    for (int c = 0; c < k; c++)
                    {
                        var q = icf.Slice(c * tri, tri);
                        Subtract(x.AsSpan(i * d, d), means.Slice(c * d, d), xc);
                        QTimes(q, xc, qx);
                        mains[c] = alphas[c] + SumDiag(q, d) - 0.5 * SqNorm(qx);
                        mx = Math.Max(mx, mains[c]);
                    }

                    double se = 0;
                    for (int c = 0; c < k; c++) se += Math.Exp(mains[c] - mx);
                    slse += mx + Math.Log(se);
                }

                double am = alphas[0];
                for (int c = 1; c < k; c++) if (alphas[c] > am) am = alphas[c];
                double ase = 0;
                for (int c = 0; c < k; c++) ase += Math.Exp(alphas[c] - am);
                double lseAlphas = am + Math.Log(ase);

                double prior = 0;
                for (int c = 0; c < k; c++)
                {
                    var q = icf.Slice(c * tri, tri);
                    double fro = 0;
                    for (int j = 0; j < d; j++) fro += Math.Exp(2 * q[j]);
                    fro += SqNorm(q.Slice(d));
                    prior += 0.5 * wishartGamma * wishartGamma * fro - wishartM * SumDiag(q, d);
                }

                return slse - n * lseAlphas + prior;
            }

            static void Subtract(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> result)
            {
                for (int j = 0; j < a.Length; j++) result[j] = a[j] - b[j];
            }

            static double SumDiag(ReadOnlySpan<double> q, int d)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += q[j];
                return s;
            }

            static double SqNorm(ReadOnlySpan<double> v)
            {
                double s = 0;
                for (int j = 0; j < v.Length; j++) s += v[j] * v[j];
                return s;
            }

            // Q = diag(exp(q[0..d])) + the strictly lower triangle, packed column by column after the diagonal.
            static void QTimes(ReadOnlySpan<double> q, ReadOnlySpan<double> v, Span<double> result)
            {
                int d = v.Length;
                for (int j = 0; j < d; j++) result[j] = Math.Exp(q[j]) * v[j];
                int li = d;
                for (int col = 0; col < d; col++)
                {
                    for (int row = col + 1; row < d; row++)
                    {
                        result[row] += q[li] * v[col];
                        li++;
                    }
                }
            }

            // Draft 3: generic helpers, a tuple-returning helper and a lower-triangular index function.
            [Differentiable(Hessian = true)]
            public static double GmmGeneric(double[] alphas, double[] means, double[] icf, [NoDerivative] double[][] x, [NoDerivative] double wishartGamma, [NoDerivative] int wishartM)
            {
                int k = alphas.Length, d = x[0].Length, tri = d * (d + 1) / 2;
                double total = 0;
                foreach (var xi in x)
                {
                    var main = new double[k];
                    for (int c = 0; c < k; c++)
                    {
                        var (logDet, quad) = Mahalanobis(icf, c * tri, means, c * d, xi);
                        main[c] = alphas[c] + logDet - Half(quad);
                    }

                    total += Lse(main);
                }

                double prior = 0;
                for (int c = 0; c < k; c++)
                {
                    for (int j = 0; j < d; j++) prior += Half(Sq(wishartGamma * Math.Exp(icf[c * tri + j]))) - wishartM * icf[c * tri + j];
                    for (int j = d; j < tri; j++) prior += Half(Sq(wishartGamma * icf[c * tri + j]));
                }

                return total - x.Length * Lse(alphas) + prior;
            }

            static T Sq<T>(T v) where T : INumber<T> => v * v;

            static T Half<T>(T v) where T : IFloatingPoint<T> => v / (T.One + T.One);

            static int Lower(int row, int col, int d) => d + col * (2 * d - col - 1) / 2 + (row - col - 1);

            static (double LogDet, double Quad) Mahalanobis(double[] icf, int qo, double[] means, int mo, double[] xi)
            {
                int d = xi.Length;
                double logDet = 0, quad = 0;
                for (int row = 0; row < d; row++)
                {
                    logDet += icf[qo + row];
                    double s = Math.Exp(icf[qo + row]) * (xi[row] - means[mo + row]);
                    for (int col = 0; col < row; col++) s += icf[qo + Lower(row, col, d)] * (xi[col] - means[mo + col]);
                    quad += Sq(s);
                }

                return (logDet, quad);
            }

            static double Lse(double[] v)
            {
                double m = double.NegativeInfinity;
                for (int i = 0; i < v.Length; i++) m = Math.Max(m, v[i]);
                return m + Math.Log(v.Sum(e => Math.Exp(e - m)));
            }
        """;

    /// <summary>
    /// Three GMM drafts pack (alphas, means, icf) alike: their values and gradients agree with each other, with
    /// numeric differences, and (K = D = 1) with the closed form; the Hessians of the two that ask for them pass a check.
    /// </summary>
    [Fact]
    public void GmmDraftsAgree()
    {
        var type = Compile(GmmDrafts);
        const double gamma = 1.3;
        const int m = 2;
        foreach (var (k, d, n) in new[] { (1, 1, 3), (3, 2, 5), (2, 4, 6) })
        {
            var random = new Random((k * 100) + d);
            int tri = d * (d + 1) / 2;
            var x = Enumerable.Range(0, n).Select(_ => RandomVector(random, d, 2)).ToArray();
            double[] point = RandomVector(random, k + (k * d) + (k * tri), 0.7);
            var jagged = Call<DifferentiableFunction>(type, "GmmJaggedObjective", k, k, d, k, tri, x, gamma, m);
            var flat = Call<DifferentiableFunction>(type, "GmmFlatObjective", k, k * d, k * tri, x.SelectMany(r => r).ToArray(), d, gamma, m);
            var generic = Call<DifferentiableFunction>(type, "GmmGenericObjective", k, k * d, k * tri, x, gamma, m);
            var g1 = Gradient(jagged, point, out double v1);
            var g2 = Gradient(flat, point, out double v2);
            var g3 = Gradient(generic, point, out double v3);
            Assert.Equal(v1, v2, 10);
            Assert.Equal(v1, v3, 10);
            Close(g1, g2, 1e-10, "flat");
            Close(g1, g3, 1e-10, "generic");
            foreach (var f in new[] { jagged, flat, generic })
            {
                var check = GradientCheck.Check(f, point, Expect.Tight);
                Assert.True(check.Passed, check.ToString());
            }

            foreach (var f in new[] { jagged, generic })
            {
                var check = GradientCheck.CheckHessian(f, point);
                Assert.True(check.Passed, check.ToString());
            }

            if (k == 1 && d == 1)
            {
                // f = Σᵢ (q − ½e^{2q}(xᵢ − μ)²) + ½γ²e^{2q} − m·q, with no dependence on α.
                double mu = point[1], q = point[2], e2 = Math.Exp(2 * q);
                double dMu = x.Sum(r => e2 * (r[0] - mu));
                double dQ = n - x.Sum(r => e2 * (r[0] - mu) * (r[0] - mu)) + (gamma * gamma * e2) - m;
                Close(new[] { 0, dMu, dQ }, g1, 1e-10, "closed form");
            }
        }
    }

    // ---------------------------------------------------------------- Bundle adjustment

    private const string BaDrafts = """
            public struct Vec3
            {
                public double X, Y, Z;
                public Vec3(double x, double y, double z) { X = x; Y = y; Z = z; }
                public static Vec3 operator +(Vec3 a, Vec3 b) => new Vec3(a.X + b.X, a.Y + b.Y, a.Z + b.Z);
                public static Vec3 operator -(Vec3 a, Vec3 b) => new Vec3(a.X - b.X, a.Y - b.Y, a.Z - b.Z);
                public static Vec3 operator *(double s, Vec3 a) => new Vec3(s * a.X, s * a.Y, s * a.Z);
                public double Dot(Vec3 o) => X * o.X + Y * o.Y + Z * o.Z;
                public Vec3 Cross(Vec3 o) => new Vec3(Y * o.Z - Z * o.Y, Z * o.X - X * o.Z, X * o.Y - Y * o.X);
                public double SquaredNorm => Dot(this);
            }

            static Vec3 Rodrigues(Vec3 rot, Vec3 p)
            {
                double theta2 = rot.SquaredNorm;
                if (theta2 != 0)
                {
                    double theta = Math.Sqrt(theta2);
                    double c = Math.Cos(theta), s = Math.Sin(theta);
                    Vec3 w = (1 / theta) * rot;
                    return c * p + s * w.Cross(p) + (w.Dot(p) * (1 - c)) * w;
                }

                return p + rot.Cross(p);
            }

            // Draft 1: flat arrays, a Vec3 struct with operators, the residuals of each observation then the weights'.
            [Differentiable]
            public static void BaFlat(double[] cams, double[] pts, double[] w, [NoDerivative] int[] obs, [NoDerivative] double[] feats, Span<double> err)
            {
                int p = w.Length;
                for (int i = 0; i < p; i++)
                {
                    int c = 11 * obs[2 * i], q = 3 * obs[2 * i + 1];
                    var rot = new Vec3(cams[c], cams[c + 1], cams[c + 2]);
                    var center = new Vec3(cams[c + 3], cams[c + 4], cams[c + 5]);
                    var X = Rodrigues(rot, new Vec3(pts[q], pts[q + 1], pts[q + 2]) - center);
                    double u = -X.X / X.Z, v = -X.Y / X.Z;
                    double rsq = u * u + v * v;
                    double L = 1 + cams[c + 9] * rsq + cams[c + 10] * rsq * rsq;
                    err[2 * i] = w[i] * (cams[c + 6] * L * u + cams[c + 7] - feats[2 * i]);
                    err[2 * i + 1] = w[i] * (cams[c + 6] * L * v + cams[c + 8] - feats[2 * i + 1]);
                }

                for (int i = 0; i < p; i++) err[2 * p + i] = 1 - w[i] * w[i];
            }

            // Draft 2: jagged cameras and points, a rotation matrix built from the axis-angle, a projection helper with span output.
            [Differentiable]
            public static void BaJagged(double[][] cams, double[][] pts, double[] w, [NoDerivative] int[] camIdx, [NoDerivative] int[] ptIdx, [NoDerivative] double[][] feats, Span<double> err)
            {
                int p = w.Length;
                Span<double> proj = stackalloc double[2];
                for (int i = 0; i < p; i++)
                {
                    Project(cams[camIdx[i]], pts[ptIdx[i]], proj);
                    err[2 * i] = w[i] * (proj[0] - feats[i][0]);
                    err[2 * i + 1] = w[i] * (proj[1] - feats[i][1]);
                    err[2 * p + i] = 1 - w[i] * w[i];
                }
            }

            static void Project(ReadOnlySpan<double> cam, ReadOnlySpan<double> X, Span<double> proj)
            {
                var R = new double[3, 3];
                AngleAxisToMatrix(cam.Slice(0, 3), R);
                Span<double> Xo = stackalloc double[3];
                for (int a = 0; a < 3; a++) Xo[a] = X[a] - cam[3 + a];
                Span<double> Xc = stackalloc double[3];
                for (int a = 0; a < 3; a++)
                {
                    Xc[a] = 0;
                    for (int b = 0; b < 3; b++) Xc[a] += R[a, b] * Xo[b];
                }

                double px = -Xc[0] / Xc[2], py = -Xc[1] / Xc[2];
                double r2 = px * px + py * py;
                double distortion = 1 + r2 * (cam[9] + cam[10] * r2);
                proj[0] = cam[6] * distortion * px + cam[7];
                proj[1] = cam[6] * distortion * py + cam[8];
            }

            // R = I + sinθ·K + (1 − cosθ)·K² for the unit axis; I + K(rot) to first order at θ = 0.
            static void AngleAxisToMatrix(ReadOnlySpan<double> r, double[,] R)
            {
                double t2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
                double s, oc;
                double kx = r[0], ky = r[1], kz = r[2];
                if (t2 > 0)
                {
                    double t = Math.Sqrt(t2);
                    kx /= t; ky /= t; kz /= t;
                    s = Math.Sin(t);
                    oc = 1 - Math.Cos(t);
                }
                else
                {
                    s = 1;
                    oc = 0;
                }

                R[0, 0] = 1 + oc * (-ky * ky - kz * kz); R[0, 1] = -s * kz + oc * kx * ky;        R[0, 2] = s * ky + oc * kx * kz;
                R[1, 0] = s * kz + oc * kx * ky;         R[1, 1] = 1 + oc * (-kx * kx - kz * kz); R[1, 2] = -s * kx + oc * ky * kz;
                R[2, 0] = -s * ky + oc * kx * kz;        R[2, 1] = s * kx + oc * ky * kz;         R[2, 2] = 1 + oc * (-kx * kx - ky * ky);
            }

            [Differentiable(Hessian = true)]
            public static double BaCost(double[] cams, double[] pts, double[] w, [NoDerivative] int[] obs, [NoDerivative] double[] feats)
            {
                Span<double> err = stackalloc double[3 * w.Length];
                BaFlat(cams, pts, w, obs, feats, err);
                double s = 0;
                for (int i = 0; i < err.Length; i++) s += err[i] * err[i];
                return 0.5 * s;
            }
        """;

    private sealed record BaInstance(int Cameras, int Points, int[] Obs, double[] Cams, double[] Pts, double[] Feats);

    /// <summary>Two cameras, four points, seven observations; the features are the true projections.</summary>
    private static BaInstance SyntheticBa(Random random, double rotationScale)
    {
        double[] cams =
        {
            0.1 * rotationScale, -0.05 * rotationScale, 0.02 * rotationScale, 0.2, -0.1, 6, 400, 2, -1, 0.02, -0.001,
            -0.08 * rotationScale, 0.03 * rotationScale, 0.1 * rotationScale, 1.1, 0.3, 5.5, 380, -3, 0.5, 0.01, 0.002,
        };
        double[] pts = RandomVector(random, 12);
        int[] obs = { 0, 0, 0, 1, 0, 2, 1, 0, 1, 1, 1, 3, 0, 3 };
        var feats = new double[obs.Length];
        for (int i = 0; i < obs.Length / 2; i++)
        {
            var p = ReferenceProjection(cams.AsSpan(11 * obs[2 * i], 11), pts.AsSpan(3 * obs[(2 * i) + 1], 3));
            feats[2 * i] = p.U;
            feats[(2 * i) + 1] = p.V;
        }

        return new BaInstance(2, 4, obs, cams, pts, feats);
    }

    /// <summary>The ADBench projection, in plain C# (the rotation through the matrix exponential of the cross-product matrix by its series).</summary>
    private static (double U, double V) ReferenceProjection(ReadOnlySpan<double> cam, ReadOnlySpan<double> x)
    {
        double[] p = { x[0] - cam[3], x[1] - cam[4], x[2] - cam[5] };
        double[] term = (double[])p.Clone(), sum = (double[])p.Clone();
        for (int k = 1; k < 30; k++)
        {
            // term ← (rot × term) / k
            double[] next = { ((cam[1] * term[2]) - (cam[2] * term[1])) / k, ((cam[2] * term[0]) - (cam[0] * term[2])) / k, ((cam[0] * term[1]) - (cam[1] * term[0])) / k };
            term = next;
            for (int a = 0; a < 3; a++)
            {
                sum[a] += term[a];
            }
        }

        double u = -sum[0] / sum[2], v = -sum[1] / sum[2], r2 = (u * u) + (v * v);
        double l = 1 + (cam[9] * r2) + (cam[10] * r2 * r2);
        return ((cam[6] * l * u) + cam[7], (cam[6] * l * v) + cam[8]);
    }

    /// <summary>
    /// The flat and jagged BA residuals have the same Jacobian, which passes a check; its columns for the principal
    /// point are w·I and for the focal length w·(proj − x₀)/f (closed forms); the residuals vanish at the truth, from
    /// which the features came by an independent rotation (the exponential series); the cost's gradient is Jᵀr and its
    /// Hessian passes a check; Levenberg–Marquardt from a perturbed start brings the residuals to zero.
    /// </summary>
    [Fact]
    public void BundleAdjustmentDraftsAgreeAndSolve()
    {
        var type = Compile(BaDrafts);
        foreach (double scale in new[] { 1.0, 0.0 })
        {
            var random = new Random(7);
            var ba = SyntheticBa(random, scale);
            int p = ba.Obs.Length / 2;
            var flat = Call<LeastSquaresFunction>(type, "BaFlatLeastSquares", 22, 12, p, ba.Obs, ba.Feats, 3 * p);
            var camIdx = Enumerable.Range(0, p).Select(i => ba.Obs[2 * i]).ToArray();
            var ptIdx = Enumerable.Range(0, p).Select(i => ba.Obs[(2 * i) + 1]).ToArray();
            var feats = Enumerable.Range(0, p).Select(i => new[] { ba.Feats[2 * i], ba.Feats[(2 * i) + 1] }).ToArray();
            var jagged = Call<LeastSquaresFunction>(type, "BaJaggedLeastSquares", 2, 11, 4, 3, p, camIdx, ptIdx, feats, 3 * p);
            double[] truth = ba.Cams.Concat(ba.Pts).Concat(Enumerable.Repeat(1.0, p)).ToArray();
            int n = truth.Length;

            var r0 = new double[3 * p];
            flat.Residuals(truth, r0);
            Assert.All(r0, e => Assert.True(Math.Abs(e) < 1e-9, $"residual {e} at the truth"));

            // Without a rotation the start keeps none (the small-angle branch); the rest moves by 1 %.
            double[] x = truth.Select((v, i) => scale == 0 && i % 11 < 3 && i < 22 ? v : v + (0.01 * ((2 * random.NextDouble()) - 1) * (1 + Math.Abs(v)))).ToArray();
            var r1 = new double[3 * p];
            var r2 = new double[3 * p];
            var j1 = new double[3 * p * n];
            var j2 = new double[3 * p * n];
            flat.Jacobian(x, r1, j1);
            jagged.Jacobian(x, r2, j2);
            Close(r1, r2, 1e-12, "jagged residuals");
            Close(j1, j2, 1e-10, "jagged Jacobian");
            var check = GradientCheck.CheckJacobian(flat, x);
            Assert.True(check.Passed, check.ToString());
            check = GradientCheck.CheckJacobian(jagged, x);
            Assert.True(check.Passed, check.ToString());
            for (int i = 0; i < p; i++)
            {
                int c = 11 * ba.Obs[2 * i];
                double w = x[22 + 12 + i];
                for (int a = 0; a < 2; a++)
                {
                    int row = ((2 * i) + a) * n;
                    Assert.Equal(w, j1[row + c + 7 + a], 12);
                    Assert.Equal(0, j1[row + c + 8 - a]);
                    double proj = (r1[(2 * i) + a] / w) + ba.Feats[(2 * i) + a];
                    Assert.Equal(w * (proj - x[c + 7 + a]) / x[c + 6], j1[row + c + 6], 10);
                }

                Assert.Equal(-2 * w, j1[(((2 * p) + i) * n) + 22 + 12 + i]);
            }

            var cost = Call<DifferentiableFunction>(type, "BaCostObjective", 22, 12, p, ba.Obs, ba.Feats);
            var g = Gradient(cost, x, out double value);
            Assert.Equal(0.5 * r1.Sum(e => e * e), value, 12);
            var jtr = new double[n];
            for (int k = 0; k < n; k++)
            {
                for (int i = 0; i < 3 * p; i++)
                {
                    jtr[k] += j1[(i * n) + k] * r1[i];
                }
            }

            Close(jtr, g, 1e-9, "Jᵀr");
            if (scale != 0)
            {
                var hessian = GradientCheck.CheckHessian(cost, x);
                Assert.True(hessian.Passed, hessian.ToString());
            }

            foreach (var problem in new[] { flat, jagged })
            {
                var fit = new LevenbergMarquardt().Minimize(problem, x);
                Assert.True(fit.Success, fit.ToString());
                Assert.True(fit.SumOfSquares < 1e-16, fit.ToString());
            }
        }
    }
}
