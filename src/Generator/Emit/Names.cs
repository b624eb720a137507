using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicGrad.Generator.Emit;

/// <summary>Hands out unique names from stems and counters: t0, t1… for temporaries, xBar for adjoints, r, r1… for values named after a local.</summary>
internal sealed class Names
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);

    public void Reserve(string name) => _taken.Add(name.TrimStart('@'));

    public bool IsTaken(string name) => _taken.Contains(name.TrimStart('@'));

    /// <summary>The stem if free, otherwise stem1, stem2... (stem_1 when the stem ends in a digit); keywords escaped.</summary>
    public string Allocate(string stem)
    {
        stem = Clean(stem);
        string result;
        if (_taken.Add(stem))
        {
            result = stem;
        }
        else
        {
            string sep = char.IsDigit(stem[stem.Length - 1]) ? "_" : string.Empty;
            _next.TryGetValue(stem, out int n);
            while (true)
            {
                n++;
                string candidate = stem + sep + n.ToString(CultureInfo.InvariantCulture);
                if (_taken.Add(candidate))
                {
                    _next[stem] = n;
                    result = candidate;
                    break;
                }
            }
        }

        return SyntaxFacts.GetKeywordKind(result) != SyntaxKind.None ? "@" + result : result;
    }

    /// <summary>prefix0, prefix1... the next free one.</summary>
    public string Numbered(string prefix)
    {
        _next.TryGetValue("#" + prefix, out int n);
        while (true)
        {
            string candidate = prefix + n.ToString(CultureInfo.InvariantCulture);
            n++;
            if (_taken.Add(candidate))
            {
                _next["#" + prefix] = n;
                return candidate;
            }
        }
    }

    private static string Clean(string stem)
    {
        stem = stem.TrimStart('@');
        var sb = new System.Text.StringBuilder();
        foreach (char c in stem)
        {
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                sb.Append(c);
            }
        }

        if (sb.Length == 0 || char.IsDigit(sb[0]))
        {
            sb.Insert(0, 'v');
        }

        return sb.ToString();
    }
}
