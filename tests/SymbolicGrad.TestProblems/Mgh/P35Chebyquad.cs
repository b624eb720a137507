namespace SymbolicGrad.TestProblems;

public static partial class Mgh
{
    /// <summary>
    /// (35) Chebyquad: fᵢ = (1/n)Σⱼ Tᵢ(xⱼ) − ∫₀¹ Tᵢ, with Tᵢ the i-th Chebyshev polynomial shifted to [0, 1]
    /// (∫₀¹ Tᵢ = 0 for odd i, −1/(i² − 1) for even i); x₀ = (j/(n + 1)); f* = 0 for m = n ∈ {1…7, 9},
    /// 3.51687e−3 for m = n = 8, 6.50395e−3 for m = n = 10.
    /// </summary>
    public static MghProblem Chebyquad(int n = 8) => new(
        35, "Chebyquad", n, n, Enumerable.Range(1, n).Select(j => j / (n + 1.0)).ToArray(),
        new MghMinimum(n switch { <= 7 or 9 => 0, 8 => 3.51687e-3, 10 => 6.50395e-3, _ => double.NaN }, "not given"),
        (x, r) =>
        {
            int nn = x.Length, mm = r.Length;
            r.Clear();
            foreach (double xj in x)
            {
                double y = (2 * xj) - 1, previous = 1, current = y;
                for (int i = 1; i <= mm; i++)
                {
                    r[i - 1] += current / nn;
                    (previous, current) = (current, (2 * y * current) - previous);
                }
            }

            for (int i = 2; i <= mm; i += 2)
            {
                r[i - 1] += 1.0 / ((i * i) - 1);
            }
        },
        (x, jac) =>
        {
            int nn = x.Length, mm = jac.Length / nn;
            for (int j = 0; j < nn; j++)
            {
                // T'ₖ₊₁ = 2Tₖ + 2yT'ₖ − T'ₖ₋₁ (with respect to y = 2x − 1), and dy/dx = 2.
                double y = (2 * x[j]) - 1;
                double tPrev = 1, t = y, dPrev = 0, d = 1;
                for (int i = 1; i <= mm; i++)
                {
                    jac[((i - 1) * nn) + j] = 2 * d / nn;
                    double tNext = (2 * y * t) - tPrev;
                    double dNext = (2 * t) + (2 * y * d) - dPrev;
                    (tPrev, t, dPrev, d) = (t, tNext, d, dNext);
                }
            }
        },
        (x, w, v, h) =>
        {
            int nn = x.Length, mm = w.Length;
            for (int j = 0; j < nn; j++)
            {
                // T''ₖ₊₁ = 4T'ₖ + 2yT''ₖ − T''ₖ₋₁, and d²y/dx² factor 4.
                double y = (2 * x[j]) - 1;
                double tPrev = 1, t = y, dPrev = 0, d = 1, ddPrev = 0, dd = 0;
                double sum = 0;
                for (int i = 1; i <= mm; i++)
                {
                    sum += w[i - 1] * 4 * dd / nn;
                    double tNext = (2 * y * t) - tPrev;
                    double dNext = (2 * t) + (2 * y * d) - dPrev;
                    double ddNext = (4 * d) + (2 * y * dd) - ddPrev;
                    (tPrev, t, dPrev, d, ddPrev, dd) = (t, tNext, d, dNext, dd, ddNext);
                }

                h[j] += sum * v[j];
            }
        },
        MghObjectives.ChebyquadObjective,
        MghResiduals.Chebyquad,
        "n = m = 8, the smallest size with a non-zero published f*");
}

public static partial class MghObjectives
{
    /// <summary>(35) Chebyquad, m = n.</summary>
    [Differentiable(Hessian = true)]
    public static double Chebyquad(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double f = 0;
        for (int i = 1; i <= n; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                // Tᵢ(2x − 1) by the recurrence T₀ = 1, T₁ = y, Tₖ₊₁ = 2yTₖ − Tₖ₋₁
                double y = 2 * x[j] - 1;
                double previous = 1;
                double current = y;
                for (int k = 1; k < i; k++)
                {
                    double next = 2 * y * current - previous;
                    previous = current;
                    current = next;
                }

                sum += current;
            }

            double fi = sum / n;
            if (i % 2 == 0)
            {
                fi += 1.0 / (i * i - 1);
            }

            f += fi * fi;
        }

        return f;
    }
}

public static partial class MghResiduals
{
    /// <summary>(35) Chebyquad, m = r.Length.</summary>
#if MGH_GENERATED
    [Differentiable]
#endif
    public static void Chebyquad(ReadOnlySpan<double> x, Span<double> r)
    {
        int n = x.Length;
        for (int i = 1; i <= r.Length; i++)
        {
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                double y = 2 * x[j] - 1;
                double previous = 1;
                double current = y;
                for (int k = 1; k < i; k++)
                {
                    double next = 2 * y * current - previous;
                    previous = current;
                    current = next;
                }

                sum += current;
            }

            r[i - 1] = sum / n;
            if (i % 2 == 0)
            {
                r[i - 1] += 1.0 / (i * i - 1);
            }
        }
    }
}
