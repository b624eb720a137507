using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Emit;

/// <summary>
/// The partial derivatives in plain math, for the XML remarks of NameGradient and DifferentiableFunction.Derivatives:
/// one line per differentiable parameter, <c>∂Loss/∂w = 2·(w − 3)</c>, <c>∂Loss/∂w[i] = 2·(w[i] − t[i])</c> for an
/// array, derived symbolically from the primal IR (not read off the reverse sweep, which is arranged for speed) and
/// simplified by <see cref="Algebra"/>. A derivative that cannot be written in a line gets a short description instead.
/// Never throws, and its work is bounded whatever the size of the method (see <see cref="Algebra"/>'s caps).
/// </summary>
internal static class Formulas
{
    /// <summary>The longest line written; a longer formula is replaced by a description, never cut.</summary>
    public const int MaxLine = 120;

    private static readonly string[] IndexNames = { "i", "j", "k", "m", "n", "p", "q", "r", "s", "t" };

    public static List<string> Describe(string stem, IrMethod primal)
    {
        var lines = new List<string>();
        string gradient = stem + "Gradient";
        var targets = new List<(IrParam Param, Leaf Leaf)>();
        foreach (var p in primal.Params)
        {
            foreach (var leaf in p.Leaves)
            {
                if (leaf.Differentiable)
                {
                    targets.Add((p, leaf));
                }
            }
        }

        if (targets.Count == 0)
        {
            return lines;
        }

        var taken = new HashSet<string>(primal.Params.SelectMany(p => p.Leaves.Select(l => FormulaReader.LeafName(p, l))), StringComparer.Ordinal);
        string index = IndexName(primal, taken);
        taken.Add(index);
        string bound = FirstFree(taken);

        Algebra? algebra = null;
        FormulaReader? reader = null;
        Expr? result = null;
        var unread = Failure.Unsupported;
        try
        {
            algebra = new Algebra();
            reader = new FormulaReader(algebra, primal, index);
            result = reader.Read();
        }
        catch (Exception)
        {
            // Past the work budget or the nesting cap (or a case not foreseen): every line is a description.
            result = null;
            unread = Failure.TooLong;
        }

        foreach (var (p, leaf) in targets)
        {
            var type = leaf.Var.Type;
            bool element = type.IsVector && type.Element!.IsReal;
            string label = "∂" + stem + "/∂" + FormulaReader.LeafName(p, leaf) + (element ? "[" + index + "]" : string.Empty);
            string? text = null;
            var why = unread;
            if (result is not null && (type.IsReal || element))
            {
                try
                {
                    var derivative = new Derivatives(algebra!, reader!.Leaves[leaf.Var], element ? reader.Index : null).Of(result);
                    int max = Math.Max(MaxLine - label.Length - 3, 40);
                    text = MathText.Print(derivative, max, index, element ? bound : index, out why);

                    // One formula per branch when that reads shorter.
                    var lifted = new Choices(algebra!).Lift(derivative);
                    if (!ReferenceEquals(lifted, derivative) && MathText.Print(lifted, max, index, element ? bound : index, out _) is { } branches
                        && (text is null || branches.Length < text.Length))
                    {
                        text = branches;
                    }
                }
                catch (Exception)
                {
                    text = null;
                    why = Failure.TooLong;
                }
            }

            lines.Add(text is not null ? label + " = " + text : label + Description(why) + gradient);
        }

        return lines;
    }

    private static string Description(Failure why) => why switch
    {
        Failure.TooLong => ": a formula longer than a line; see the reverse sweep in ",
        Failure.Loop => ": computed by a loop; see the reverse sweep in ",
        _ => ": see the reverse sweep in ",
    };

    /// <summary>The name of the sums' index: the loops' own when they agree on one that is free, else the first free of i, j, k...</summary>
    private static string IndexName(IrMethod primal, HashSet<string> taken)
    {
        var names = IrWalk.All(primal.Body)
            .Select(s => s.Stmt is Loop { Counted: { } c } ? c.Index.Hint : null)
            .Where(n => n is not null)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (names.Count == 1 && names[0]!.Length is > 0 and <= 8 && names[0]!.All(char.IsLetterOrDigit) && char.IsLetter(names[0]![0]) && !taken.Contains(names[0]!))
        {
            return names[0]!;
        }

        return FirstFree(taken);
    }

    private static string FirstFree(HashSet<string> taken)
    {
        foreach (var n in IndexNames)
        {
            if (!taken.Contains(n))
            {
                return n;
            }
        }

        int k = 0;
        while (taken.Contains("i" + k.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            k++;
        }

        return "i" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
