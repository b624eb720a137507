using System.Globalization;
using System.Text;

namespace SymbolicGrad.Generator.Tests.RandomPrograms;

// The constructs of issues #8 §5 and #9 §3, each behind a ProgramFeatures flag and tagged for the coverage test:
// helpers without the attribute (scalar, tuple, struct, span writers; overloads), ref locals and refs to elements,
// array and span variables reassigned in branches, slices, arrays created in loops and branches, tuples, a small struct
// with operators, LINQ, switch expressions/statements and patterns, local functions and lambdas, casts through other
// numeric types (decimal of a differentiable value is expected to be SG0025), differentiable values into [NoDerivative]
// parameters, colliding names, deep nesting and long sums.
//
// C# rules the productions respect (a violation is reported as "the random source does not compile"):
//  * spans and ref locals are never captured by lambdas or local functions (InLambda hides them);
//  * static lambdas and local functions see only their own parameters;
//  * a Span local that may hold stackalloc memory is initialized from it (its scope is then the method's);
//  * every argument has the parameter's exact type unless ImplicitSpanConversions is on (a known generator bug);
//  * arrays passed to helpers and sliced are never empty (slices keep at least one element), because helper bodies
//    index with `% a.Length`.
public sealed partial class RandomProgramGenerator
{
    public static readonly IReadOnlyList<string> ConstructTags = new[]
    {
        // helpers
        "helper-call", "helper-scalar", "helper-tuple", "helper-struct", "helper-writer", "writer-in-place", "helper-in-helper",
        "helper-array-param", "helper-span-param", "helper-readonly-span-param", "helper-struct-param",
        "arg-array", "arg-asspan", "arg-asspan-range", "arg-slice", "arg-range", "arg-new-array", "arg-collection", "arg-span",
        "overload-helper", "overload-differentiable", "case-only-name",
        // refs
        "ref-local", "ref-param", "ref-element", "ref-readonly-element", "ref-reassign",
        // arrays and spans
        "array-alias", "span-alias", "array-param-reassign", "array-in-branch", "array-in-loop", "array-in-loop-branch",
        "list-add", "list-edit", "list-read",
        "slice-local", "slice-asspan", "slice-slice", "slice-range", "slice-in-loop",
        // tuples and structs
        "tuple-deconstruct", "tuple-swap", "tuple-rotate", "tuple-local", "struct-local", "struct-op", "struct-method", "struct-param",
        // LINQ
        "linq-sum", "linq-select", "linq-max", "linq-min", "linq-average", "linq-zip", "linq-aggregate", "linq-where", "linq-index", "linq-orderby", "linq-span",
        // switch and patterns
        "switch-relational", "switch-int", "switch-when", "switch-stmt", "switch-stmt-relational", "pattern-and", "pattern-or", "pattern-not", "pattern-int",
        // local functions and lambdas
        "local-function", "local-function-block", "local-function-static", "lambda", "lambda-static", "lambda-two", "call-local-function", "captured-reassigned",
        // casts, data parameters, names, size
        "(long)", "(short)", "decimal-data", "decimal-differentiable", "diff-to-data-arg", "assign-data-differentiable", "colliding-name",
        "deep-nesting", "long-sum", "deep-calls",
    };

    /// <summary>A V2 value in scope (a local or a parameter): read as name.X, name.Y, with Dot and Norm2.</summary>
    private sealed record StructVar(string Name, double Bound, int Scope);

    /// <summary>A local function or a Func local in scope.</summary>
    private sealed record LocalFunction(string Name, int Arity, double Bound, int Scope, bool CreatesArrays = false);

    private sealed partial class MethodBuilder
    {
        private readonly HelperShape _helper;
        private readonly int _index;
        private string? _expectedDiagnostic;
        private Local? _decimalLocal;
        private readonly List<StructVar> _structs = new();
        private readonly List<LocalFunction> _functions = new();
        private readonly HashSet<string> _collidingNamesUsed = new(StringComparer.Ordinal);

        /// <summary>Inside a lambda or local function body: no spans, no ref locals, no statements.</summary>
        private int _lambdaDepth;

        /// <summary>Names like the generator's own identifiers (and no prefix+number that NewName could produce).</summary>
        private static readonly string[] CollidingNames =
        {
            "value", "values", "t0", "t1", "xBar", "yBar", "dX", "dY", "dx", "gradient", "parameters", "ints", "flags",
            "arrays", "objects", "scratch", "result", "r", "p", "g0", "g1", "tmp", "Bar", "stack", "adjoint",
        };

        private string ReturnType => _helper switch
        {
            HelperShape.Tuple => "(double, double)",
            HelperShape.Struct => "V2",
            _ => "double",
        };

        /// <summary>The returned value (its first component for tuples and structs), with the decimal local folded in.</summary>
        private Ex ReturnExpression(int depth)
        {
            var e = Expr(depth);
            return _decimalLocal is null ? e : new Ex(e.Text + " + " + _decimalLocal.Name, e.Bound + _decimalLocal.Bound);
        }

        private string ShapeReturn(Ex e)
        {
            switch (_helper)
            {
                case HelperShape.Tuple:
                {
                    var second = Expr(Depth());
                    _outputBound = Math.Max(_outputBound, second.Bound);
                    return "(" + e.Text + ", " + second.Text + ")";
                }

                case HelperShape.Struct:
                {
                    var second = Expr(Depth());
                    _outputBound = Math.Max(_outputBound, second.Bound);
                    return "new V2(" + e.Text + ", " + second.Text + ")";
                }

                default:
                    return e.Text;
            }
        }

        // ---------------------------------------------------------------- names and overloads

        /// <summary>Overloads: take the name of an earlier method of the same kind whose overloads all differ in arity (and, for [Differentiable] methods, in their generated objective); case-only twins.</summary>
        private void ChooseName()
        {
            if (!_f.Overloads || _expectedDiagnostic is not null)
            {
                return;
            }

            bool helper = _helper != HelperShape.None;
            if (Chance(0.12))
            {
                var byName = _earlier.Where(m => m.IsHelper == helper && m.Callable && (!helper || m.Helper != HelperShape.Writer) && (helper || _helper == HelperShape.None))
                    .GroupBy(m => m.Name, StringComparer.Ordinal)
                    .Where(g => g.All(m => m.Parameters.Count != _parameters.Count && (helper || ObjectiveKey(m.Parameters) != ObjectiveKey(_parameters))))
                    .Where(g => !helper || g.All(m => m.Helper == _helper))
                    .Select(g => g.Key)
                    .ToList();
                if (byName.Count > 0)
                {
                    _name = Pick(byName);
                    _tags.Add(helper ? "overload-helper" : "overload-differentiable");
                }

                return;
            }

            if (!helper && Chance(0.03))
            {
                var twins = _earlier.Where(m => !m.IsHelper && m.Callable && char.IsUpper(m.Name[0]))
                    .Select(m => char.ToLowerInvariant(m.Name[0]) + m.Name.Substring(1))
                    .Where(n => _earlier.All(m => m.Name != n))
                    .ToList();
                if (twins.Count > 0)
                {
                    _name = Pick(twins);
                    _tags.Add("case-only-name");
                }
            }
        }

        /// <summary>The parameter types of the generated NameObjective: an int per differentiable array, then the data parameters.</summary>
        /// <remarks>A [NoDerivative] span becomes a double[] there (a lambda cannot capture a span).</remarks>
        private static string ObjectiveKey(IEnumerable<ParamSpec> parameters) =>
            string.Join(",", parameters.Where(p => p.Kind == ParamKind.DiffArray).Select(_ => "int")
                .Concat(parameters.Where(p => !p.IsDifferentiable).Select(p => p.IsArray ? "double[]" : p.CSharpType)));

        private string LocalName()
        {
            if (_f.CollidingNames && Chance(0.08))
            {
                var free = CollidingNames.Where(n => !_collidingNamesUsed.Contains(n) && _parameters.All(p => p.Name != n)).ToList();
                if (free.Count > 0)
                {
                    string name = Pick(free);
                    _collidingNamesUsed.Add(name);
                    _tags.Add("colliding-name");
                    return name;
                }
            }

            return NewName("v");
        }

        // ---------------------------------------------------------------- statements

        /// <summary>One of the new statement productions, or null to fall back to the original ones.</summary>
        private bool? NewStatement()
        {
            if (_lambdaDepth > 0 || !Chance(0.2))
            {
                return null;
            }

            switch (_rng.Next(12))
            {
                case 0 when _f.RefLocals:
                    return RefStatement();
                case 1 when _f.ArrayReassignment && _branchNesting < _f.MaxBranchNesting:
                    return ArrayAlias();
                case 2 when _f.Tuples:
                    return TupleStatement();
                case 3 when _f.Structs:
                    return StructStatement();
                case 4 when _f.Switches && _branchNesting < _f.MaxBranchNesting:
                    return SwitchStatement();
                case 5 when _f.LocalFunctions:
                    return LocalFunctionStatement();
                case 6 when _f.ArraysInLoops && _f.Loops && LoopDepth > 0 && LoopDepth < _f.MaxLoopDepth:
                    return ArrayInLoop();
                case 7 when _f.Slices:
                    return SliceLocal();
                case 8 when _f.Helpers:
                    return HelperStatement();
                case 9 when _f.DeepExpressions && LoopDepth == 0 && _lambdaDepth == 0 && Chance(0.25):
                    return DeepStatement();
                case 10 when _f.Lists && _f.Loops && LoopDepth < _f.MaxLoopDepth:
                    return ListStatement();
                default:
                    return null;
            }
        }

        private bool? RefStatement()
        {
            var locals = _arrays.Where(a => a.IsLocal && !a.IsAlias && (!a.IsSpan || _f.RefsToSpanElements)).ToList();
            var readable = _arrays.Where(a => !a.IsLocal && !a.IsAlias && (!a.IsSpan || _f.RefsToSpanElements)).ToList();
            switch (_rng.Next(4))
            {
                case 0 when locals.Count > 0:
                {
                    // A ref to a local-array element, written through.
                    _tags.Add("ref-element");
                    var array = Pick(locals);
                    string r = NewName("r");
                    Line("ref double " + r + " = ref " + array.Name + "[" + Index(array) + "];");
                    var e = Bounded(Expr(Depth()), array.Bound / 2);
                    Line(Chance(0.5) ? r + " = 0.5 * " + r + " + " + e.P + ";" : r + " = " + Bounded(Expr(Depth()), array.Bound).Text + ";");
                    return false;
                }

                case 1 when readable.Count > 0:
                {
                    // A ref readonly alias of a parameter element, read later.
                    _tags.Add("ref-readonly-element");
                    var array = Pick(readable);
                    var r = new Local { Name = NewName("r"), Bound = array.Bound, IsData = array.IsData, Pinned = true, IsRef = true };
                    Line("ref readonly double " + r.Name + " = ref " + array.Name + "[" + Index(array) + "];");
                    _scopes[^1].Add(r);
                    return false;
                }

                default:
                {
                    var targets = Visible.Where(l => !l.IsFloat && !l.IsInt && !l.Pinned && !l.IsData && !l.IsRef).ToList();
                    if (targets.Count == 0)
                    {
                        return null;
                    }

                    // A ref to a local or a parameter, written through (issue #8's `ref double r = ref x; r = r * 3;`).
                    var target = Pick(targets);
                    _tags.Add(target.IsParameter ? "ref-param" : "ref-local");
                    string r = NewName("r");
                    Line("ref double " + r + " = ref " + target.Name + ";");
                    Assign(target, r);
                    // Same block only: a ref local cannot be re-pointed at a variable with a narrower scope (CS8374).
                    var others = _scopes[^1].Contains(target) ? _scopes[^1].Where(l => l != target && targets.Contains(l)).ToList() : new List<Local>();
                    if (others.Count > 0 && Chance(0.25))
                    {
                        // Ref reassignment: the same ref now points elsewhere.
                        _tags.Add("ref-reassign");
                        var second = Pick(others);
                        Line(r + " = ref " + second.Name + ";");
                        Assign(second, r);
                    }

                    return false;
                }
            }
        }

        /// <summary>
        /// An array or span variable chosen in a branch (`double[] a = u; if (c) a = v;`), an array parameter reassigned
        /// in a branch, or an array created in a branch.
        /// </summary>
        private bool? ArrayAlias()
        {
            bool inLoop = LoopDepth > 0;
            var byType = _arrays.Where(a => a.Type == "double[]" || !inLoop || _f.SpansRepointedInLoops).GroupBy(a => a.Type).ToList();
            if (byType.Count == 0)
            {
                return null;
            }

            var group = Pick(byType).ToList();
            string type = group[0].Type;

            // Reassigning a parameter: only outside loops (a loop may be bounded by its length).
            var parameters = group.Where(a => !a.IsLocal && !a.IsAlias).ToList();
            if (!inLoop && parameters.Count >= 2 && Chance(0.3))
            {
                var target = Pick(parameters);
                var source = Pick(parameters.Where(a => a != target).ToList());
                _tags.Add("array-param-reassign");
                Line("if (" + Condition(1) + ")");
                Line("{");
                Line("    " + target.Name + " = " + source.Name + ";");
                Line("}");
                target.Bound = Math.Max(target.Bound, source.Bound);
                return false;
            }

            if (!_f.LocalArraysMixedWithParameters)
            {
                // One class only: arrays that may be parameters, or arrays the method created (see LocalArraysMixedWithParameters).
                bool parameter = Chance(0.5);
                group = group.Where(a => a.MayBeParameter == parameter).ToList();
                if (group.Count == 0)
                {
                    return null;
                }
            }

            var sources = group.Select(a => (Text: a.Name, Info: a)).ToList();
            bool created = type == "double[]" && (sources.Count < 2 || Chance(0.3)) && (_f.LocalArraysMixedWithParameters || !sources.Any(x => x.Info.MayBeParameter));
            if (sources.Count < 2 && !created)
            {
                return null;
            }

            // A Span that may hold stackalloc memory is initialized from it (its scope must be the method's).
            var first = type == "Span<double>" && sources.Any(s => s.Info.StackScoped) ? Pick(sources.Where(s => s.Info.StackScoped).ToList()) : Pick(sources);
            bool stack = sources.Any(s => s.Info.StackScoped);
            string name = NewName("al");
            _tags.Add(type == "double[]" ? "array-alias" : "span-alias");
            Line(type + " " + name + " = " + first.Text + ";");
            Line("if (" + Condition(1) + ")");
            Line("{");
            double bound = first.Info.Bound;
            bool data = first.Info.IsData;
            int length = first.Info.LengthBound;
            if (created)
            {
                _tags.Add("array-in-branch");
                var es = Enumerable.Range(0, 2 + _rng.Next(3)).Select(_ => Bounded(Expr(Depth() - 1), 3)).ToList();
                Line("    " + name + " = new[] { " + string.Join(", ", es.Select(e => e.Text)) + " };");
                bound = Math.Max(bound, 3);
                data = false;
                length = Math.Max(length, es.Count);
            }
            else
            {
                var second = Pick(sources.Where(s => s.Text != first.Text).ToList());
                Line("    " + name + " = " + second.Text + ";");
                bound = Math.Max(bound, second.Info.Bound);
                data &= second.Info.IsData;
                length = Math.Max(length, second.Info.LengthBound);
            }

            Line("}");
            _arrays.Add(new ArrayInfo { Name = name, Type = type, IsAlias = true, IsSpan = type != "double[]", StackScoped = stack, CreatedInBranch = created || _branchNesting > 0 || sources.Any(x => x.Info.CreatedInBranch), MayBeParameter = sources.Any(x => x.Info.MayBeParameter), Bound = bound, IsData = data, LengthBound = length, Scope = _scopes.Count - 1 });
            return false;
        }

        private bool? TupleStatement()
        {
            var assignable = Visible.Where(l => !l.IsFloat && !l.IsInt && !l.Pinned && !l.IsData && !l.IsRef).ToList();
            switch (_rng.Next(4))
            {
                case 0:
                {
                    _tags.Add("tuple-deconstruct");
                    var a = NoCopy(Expr(Depth()));
                    var b = NoCopy(Expr(Depth()));
                    string p = NewName("tr");
                    string q = NewName("tr");
                    Line("var (" + p + ", " + q + ") = (" + a.Text + ", " + b.Text + ");");
                    _scopes[^1].Add(new Local { Name = p, Bound = a.Bound });
                    _scopes[^1].Add(new Local { Name = q, Bound = b.Bound });
                    return false;
                }

                case 1 when assignable.Count >= 2:
                {
                    var a = Pick(assignable);
                    var b = Pick(assignable.Where(l => l != a).ToList());
                    if (IsCarried(a) || IsCarried(b) || Chance(0.5))
                    {
                        // A pure swap keeps the bounds whatever the trip count.
                        _tags.Add("tuple-swap");
                        Line("(" + a.Name + ", " + b.Name + ") = (" + b.Name + ", " + a.Name + ");");
                        a.Bound = b.Bound = Math.Max(a.Bound, b.Bound);
                    }
                    else
                    {
                        _tags.Add("tuple-rotate");
                        var e = Bounded(Expr(Depth() - 1), 3);
                        Line("(" + a.Name + ", " + b.Name + ") = (" + b.Name + ", 0.5 * " + a.Name + " + " + e.P + ");");
                        (a.Bound, b.Bound) = (b.Bound, 0.5 * a.Bound + e.Bound);
                    }

                    return false;
                }

                default:
                {
                    _tags.Add("tuple-local");
                    var a = Expr(Depth());
                    var b = Expr(Depth());
                    string t = NewName("tp");
                    Line("(double s, double w) " + t + " = (" + a.Text + ", " + b.Text + ");");
                    _scopes[^1].Add(new Local { Name = t + ".s", Bound = a.Bound, Pinned = true });
                    _scopes[^1].Add(new Local { Name = t + ".w", Bound = b.Bound, Pinned = true });
                    return false;
                }
            }
        }

        private void DeclareStruct(string name, double boundX, double boundY)
        {
            double b = Math.Max(boundX, boundY);
            _structs.Add(new StructVar(name, b, _scopes.Count - 1));
            _scopes[^1].Add(new Local { Name = name + ".X", Bound = boundX, Pinned = true });
            _scopes[^1].Add(new Local { Name = name + ".Y", Bound = boundY, Pinned = true });
        }

        /// <summary>A V2 value: new V2(...), with + − and scalar ×, or from a struct-returning helper.</summary>
        private (string Text, double Bound) StructValue(int depth)
        {
            var x = Bounded(Expr(depth), 6);
            var y = Bounded(Expr(depth), 6);
            string text = "new V2(" + x.Text + ", " + y.Text + ")";
            double bound = Math.Max(x.Bound, y.Bound);
            if (_structs.Count > 0 && Chance(0.5))
            {
                _tags.Add("struct-op");
                var other = Pick(_structs);
                double c = Pick(new[] { 0.5, 2.0, 1.5 });
                (text, bound) = _rng.Next(3) switch
                {
                    0 => (text + " + " + other.Name, bound + other.Bound),
                    1 => (text + " - " + other.Name, bound + other.Bound),
                    _ => (Num(c) + " * " + other.Name + " + " + text, c * other.Bound + bound),
                };
            }

            return (text, bound);
        }

        private bool? StructStatement()
        {
            var helpers = _f.Helpers ? HelperCandidates(HelperShape.Struct) : new List<RandomMethod>();
            string name = NewName("st");
            if (helpers.Count > 0 && Chance(0.4))
            {
                var call = HelperCall(Pick(helpers), Depth());
                if (call is null)
                {
                    return null;
                }

                Line("var " + name + " = " + call.Value.Text + ";");
                DeclareStruct(name, call.Value.Bound, call.Value.Bound);
                return false;
            }

            _tags.Add("struct-local");
            var (text, bound) = StructValue(Depth() - 1);
            Line("var " + name + " = " + text + ";");
            DeclareStruct(name, bound, bound);
            return false;
        }

        /// <summary>A switch statement on an int (k % 3, a loop index) or on a real value with relational cases.</summary>
        private bool? SwitchStatement()
        {
            var ints = Visible.Where(l => (l.IsParameter && l.Name is "k" or "n") || l.IsInt).ToList();
            bool relational = ints.Count == 0 || Chance(0.4);
            string subject;
            string[] labels;
            if (relational)
            {
                _tags.Add("switch-stmt-relational");
                subject = Expr(1).Text;
                double a = Pick(new[] { -1.0, -0.5, 0.0 });
                double b = a + Pick(new[] { 0.5, 1.0, 2.0 });
                labels = new[] { "case < " + Num(a) + ":", "case > " + Num(b) + ":", "default:" };
            }
            else
            {
                _tags.Add("switch-stmt");
                subject = Pick(ints).Name + " % 3";
                labels = Chance(0.5) ? new[] { "case 0:", "case 1:\n" + new string(' ', (_indent + 1) * 4) + "case 2:", "default:" } : new[] { "case 0:", "case 2:", "default:" };
            }

            _branchNesting++;
            Line("switch (" + subject + ")");
            Line("{");
            _indent++;
            bool allReturn = true;
            foreach (var label in labels)
            {
                Line(label);
                Line("{");
                bool returned = Block(1 + _rng.Next(2), allowReturn: true);
                if (!returned)
                {
                    Line("    break;");
                    allReturn = false;
                }

                Line("}");
            }

            _indent--;
            Line("}");
            _branchNesting--;

            // Inside a loop a section may end in `if (...) { break; }`, which leaves the switch, not the loop: then the
            // switch does not always return, and a section around it must not fall through (CS0163, seed 111130).
            return allReturn && LoopDepth == 0;
        }

        /// <summary>A local function (expression or block body, capturing or static) or a Func local (capturing or static).</summary>
        private bool? LocalFunctionStatement()
        {
            bool isStatic = Chance(0.3);
            int arity = 1 + (Chance(0.3) ? 1 : 0);
            var parameters = Enumerable.Range(0, arity).Select(_ => new Local { Name = NewName("l"), Bound = ArgumentBound }).ToList();
            string list = string.Join(", ", parameters.Select(p => "double " + p.Name));
            int kind = _rng.Next(3);
            if (kind == 2)
            {
                // Func<double, double> fn = static? (l) => ...;
                _tags.Add(isStatic ? "lambda-static" : "lambda");
                if (arity == 2)
                {
                    _tags.Add("lambda-two");
                }

                var body = InLambda(isStatic, parameters, () => Bounded(Expr(Depth()), BoundLimit));
                string name = NewName("fn");
                string type = arity == 1 ? "Func<double, double>" : "Func<double, double, double>";
                string header = arity == 1 ? parameters[0].Name : "(" + string.Join(", ", parameters.Select(p => p.Name)) + ")";
                Line(type + " " + name + " = " + (isStatic ? "static " : "") + header + " => " + body.Text + ";");
                _functions.Add(new LocalFunction(name, arity, body.Bound, _scopes.Count - 1, MayCreateArrays(body.Text)));
                return false;
            }

            string fname = NewName("Lf");
            if (kind == 1)
            {
                // Block body: a local, then the return.
                _tags.Add("local-function-block");
                if (isStatic)
                {
                    _tags.Add("local-function-static");
                }

                string inner = NewName("v");
                Ex first = default, result = default;
                InLambda(isStatic, parameters, () =>
                {
                    first = Bounded(Expr(Depth() - 1), 6);
                    _scopes[^1].Add(new Local { Name = inner, Bound = first.Bound });
                    result = Bounded(Expr(Depth()), BoundLimit);
                    return result;
                });
                Line((isStatic ? "static " : "") + "double " + fname + "(" + list + ")");
                Line("{");
                Line("    double " + inner + " = " + first.Text + ";");
                Line("    return " + result.Text + ";");
                Line("}");
                _functions.Add(new LocalFunction(fname, arity, result.Bound, _scopes.Count - 1, MayCreateArrays(first.Text + " " + result.Text)));
                return false;
            }

            _tags.Add("local-function");
            if (isStatic)
            {
                _tags.Add("local-function-static");
            }

            var e = InLambda(isStatic, parameters, () => Bounded(Expr(Depth()), BoundLimit));
            Line((isStatic ? "static " : "") + "double " + fname + "(" + list + ") => " + e.Text + ";");
            _functions.Add(new LocalFunction(fname, arity, e.Bound, _scopes.Count - 1, MayCreateArrays(e.Text)));
            return false;
        }

        /// <summary>
        /// Runs <paramref name="body"/> as the body of a lambda or local function with <paramref name="parameters"/>: spans
        /// and ref locals are hidden (they cannot be captured); a static one sees nothing but its parameters.
        /// </summary>
        private T InLambda<T>(bool isStatic, IEnumerable<Local> parameters, Func<T> body)
        {
            var scopes = _scopes.Select(s => s.ToList()).ToList();
            var arrays = _arrays.ToList();
            var loopVars = _loopVars.ToList();
            var structs = _structs.ToList();
            var functions = _functions.ToList();
            var loopScopes = _loopScopes.ToList();
            _scopes.Clear();
            if (!isStatic)
            {
                _scopes.AddRange(scopes.Select(s => s.Where(l => !l.IsRef).ToList()));
            }
            else
            {
                _arrays.Clear();
                _loopVars.Clear();
                _structs.Clear();
                _functions.Clear();
            }

            _arrays.RemoveAll(a => a.IsSpan);
            _scopes.Add(parameters.ToList());
            _loopScopes.Clear();
            _lambdaDepth++;
            try
            {
                return body();
            }
            finally
            {
                _lambdaDepth--;
                _scopes.Clear();
                _scopes.AddRange(scopes);
                _arrays.Clear();
                _arrays.AddRange(arrays);
                _loopVars.Clear();
                _loopVars.AddRange(loopVars);
                _structs.Clear();
                _structs.AddRange(structs);
                _functions.Clear();
                _functions.AddRange(functions);
                _loopScopes.Clear();
                _loopScopes.AddRange(loopScopes);
            }
        }

        /// <summary>An array created inside a loop body (fresh every iteration), filled by a loop and read in the same iteration.</summary>
        private bool? ArrayInLoop()
        {
            var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
            var loop = _loopVars.Count > 0 ? Pick(_loopVars) : null;
            var paramArrays = _arrays.Where(a => !a.IsLocal && !a.IsAlias).ToList();
            (string Size, int Bound) size;
            int choice = _rng.Next(4);
            if (choice == 0 && loop is not null)
            {
                size = ("(" + loop.Name + " % 3) + 1", 3);
            }
            else if (choice == 1 && ints.Count > 0)
            {
                size = (Pick(ints).Name + " % 3 + 1", 3);
            }
            else if (choice == 2 && paramArrays.Count > 0)
            {
                var a = Pick(paramArrays);
                size = (a.Name + ".Length", a.LengthBound);
            }
            else
            {
                int c = 2 + _rng.Next(3);
                size = (Int(c), c);
            }

            _tags.Add(_branchNesting > 0 ? "array-in-loop-branch" : "array-in-loop");
            string name = NewName("h");
            Line("var " + name + " = new double[" + size.Size + "];");
            var array = new ArrayInfo { Name = name, Type = "double[]", IsLocal = true, CreatedInBranch = _branchNesting > 0, Bound = 3, LengthBound = size.Bound, Scope = _scopes.Count - 1 };
            string i = NewName("i");
            Line("for (int " + i + " = 0; " + i + " < " + name + ".Length; " + i + "++)");
            OpenLoopBody(new LoopVar(i, array, new[] { i, name + ".Length - 1 - " + i }));
            Line(name + "[" + i + "] = " + Bounded(Expr(Depth()), array.Bound).Text + ";");
            CloseLoopBody();
            _arrays.Add(array);
            return false;
        }

        /// <summary>
        /// A List&lt;double&gt; built with Add over the elements of an array in scope (one element per iteration, from any
        /// expression), sometimes edited through its indexer (l[j] = ..., l[j] += ...), then read as an array: ToArray(),
        /// or a new array filled from Count and the indexer, or with foreach. The array joins the others.
        /// </summary>
        private bool? ListStatement()
        {
            var sources = _arrays.Where(a => a.Type == "double[]" && a.LengthBound > 0).ToList();
            if (sources.Count == 0)
            {
                return null;
            }

            var over = Pick(sources);
            _tags.Add("list-add");
            string list = NewName("li");
            Line(_rng.Next(4) switch
            {
                0 => "List<double> " + list + " = [];",
                1 => "var " + list + " = new List<double>(" + Int(1 + _rng.Next(3)) + ");",
                2 => "List<double> " + list + " = new();",
                _ => "var " + list + " = new List<double>();",
            });
            string i = NewName("i");
            Line("for (int " + i + " = 0; " + i + " < " + over.Name + ".Length; " + i + "++)");
            OpenLoopBody(new LoopVar(i, over, new[] { i, over.Name + ".Length - 1 - " + i }));
            Line(list + ".Add(" + Bounded(Expr(Depth()), 3).Text + ");");
            CloseLoopBody();
            double bound = 3;
            if (Chance(0.4))
            {
                _tags.Add("list-edit");
                string j = NewName("i");
                Line("for (int " + j + " = 0; " + j + " < " + list + ".Count; " + j + "++)");
                OpenLoopBody(new LoopVar(j, over, new[] { j, over.Name + ".Length - 1 - " + j }));
                if (Chance(0.5))
                {
                    Line(list + "[" + j + "] = 0.5 * " + list + "[" + j + "] + " + Bounded(Expr(Depth()), 1).Text + ";");
                    bound = 2.5;
                }
                else
                {
                    Line(list + "[" + j + "] += " + Bounded(Expr(Depth()), 1).Text + ";");
                    bound = 4;
                }

                CloseLoopBody();
            }

            string name = NewName("h");
            switch (_rng.Next(3))
            {
                case 0:
                    Line("var " + name + " = " + list + ".ToArray();");
                    break;
                case 1:
                {
                    _tags.Add("list-read");
                    string k = NewName("i");
                    Line("var " + name + " = new double[" + list + ".Count];");
                    Line("for (int " + k + " = 0; " + k + " < " + list + ".Count; " + k + "++) " + name + "[" + k + "] = " + list + "[" + list + ".Count - 1 - " + k + "];");
                    break;
                }

                default:
                {
                    _tags.Add("list-read");
                    string k = NewName("i");
                    string e = NewName("l");
                    Line("var " + name + " = new double[" + list + ".Count];");
                    Line("int " + k + " = 0;");
                    Line("foreach (var " + e + " in " + list + ") " + name + "[" + k + "++] = " + e + ";");
                    break;
                }
            }

            _arrays.Add(new ArrayInfo { Name = name, Type = "double[]", IsLocal = true, CreatedInBranch = _branchNesting > 0, Bound = bound, LengthBound = over.LengthBound, Scope = _scopes.Count - 1 });
            return false;
        }

        /// <summary>A slice local: x.AsSpan(o), x.AsSpan(o, n), s.Slice(o), a range; never empty.</summary>
        private bool? SliceLocal()
        {
            var sources = _arrays.ToList();
            if (sources.Count == 0)
            {
                return null;
            }

            var source = Pick(sources);
            var (text, type) = Slice(source, out string tag);
            if (type != "double[]" && LoopDepth > 0)
            {
                _tags.Add("slice-in-loop");
            }

            _tags.Add("slice-local");
            _tags.Add(tag);
            string name = NewName("sl");
            Line((type == "double[]" ? "var " : type + " ") + name + " = " + text + ";");
            _arrays.Add(new ArrayInfo { Name = name, Type = type, IsAlias = true, IsSpan = type != "double[]", StackScoped = source.StackScoped && type != "double[]", CreatedInBranch = source.CreatedInBranch || (type == "double[]" && _branchNesting > 0), MayBeParameter = source.MayBeParameter && type != "double[]", Bound = source.Bound, IsData = source.IsData, LengthBound = source.LengthBound, Scope = _scopes.Count - 1 });
            return false;
        }

        /// <summary>A non-empty slice of <paramref name="a"/> and its type.</summary>
        private (string Text, string Type) Slice(ArrayInfo a, out string tag)
        {
            string len = a.Name + ".Length";
            string start = _loopVars.Count > 0 && LoopDepth > 0 && Chance(0.3) ? Pick(_loopVars).Name + " % " + len : len + " / 2";
            bool isArray = a.Type == "double[]";
            bool asSpan = !a.CreatedInBranch || _f.AsSpanOfArraysCreatedInBranches;
            if (isArray && _inLoopCondition && !_f.ArraysCreatedInLoopConditions)
            {
                // A range of an array is a new array: not in a loop condition (ArrayCreatedInALoopCondition), a view instead.
                tag = "slice-asspan";
                return asSpan ? (a.Name + ".AsSpan(" + start + ")", "Span<double>") : (a.Name, a.Type);
            }

            switch (_rng.Next(3))
            {
                case 0 when isArray && asSpan:
                    tag = "slice-asspan";
                    return Chance(0.5) ? (a.Name + ".AsSpan(" + start + ")", "Span<double>") : (a.Name + ".AsSpan(0, (" + len + " + 1) / 2)", "Span<double>");
                case 1 when !isArray:
                    tag = "slice-slice";
                    return Chance(0.5) ? (a.Name + ".Slice(" + start + ")", a.Type) : (a.Name + ".Slice(0, (" + len + " + 1) / 2)", a.Type);
                default:
                    tag = "slice-range";
                    return Chance(0.5) ? (a.Name + "[(" + start + ")..]", a.Type) : (a.Name + "[..((" + len + " + 1) / 2)]", a.Type);
            }
        }

        /// <summary>A statement calling a helper: a writer into a local array, or a tuple helper deconstructed.</summary>
        private bool? HelperStatement()
        {
            if (Chance(0.5))
            {
                var writers = HelperCandidates(HelperShape.Writer);
                var targets = _arrays.Where(a => a.IsLocal && !a.IsAlias).ToList();
                if (writers.Count == 0 || targets.Count == 0)
                {
                    return null;
                }

                var writer = Pick(writers);
                var target = Pick(targets);
                var input = writer.Parameters[0];
                string? source = null;
                if (_f.WritersInPlace && Chance(0.35) && ArgumentFor(input.Type, target) is { } same)
                {
                    _tags.Add("writer-in-place");
                    source = same;
                }

                source ??= ArrayArgument(input.Type);
                string? destination = ArgumentFor("Span<double>", target);
                if (source is null || destination is null)
                {
                    return null;
                }

                _tags.Add("helper-writer");
                _tags.Add("helper-call");
                _callees.Add(writer);
                var s = Bounded(Expr(Depth() - 1), ArgumentBound);
                Line(writer.Name + "(" + source + ", " + s.Text + ", " + destination + ");");
                return false;
            }

            var tuples = HelperCandidates(HelperShape.Tuple);
            if (tuples.Count == 0)
            {
                return null;
            }

            var call = HelperCall(Pick(tuples), Depth());
            if (call is null)
            {
                return null;
            }

            string p = NewName("tr");
            string q = NewName("tr");
            _tags.Add("tuple-deconstruct");
            Line("var (" + p + ", " + q + ") = " + call.Value.Text + ";");
            _scopes[^1].Add(new Local { Name = p, Bound = call.Value.Bound });
            _scopes[^1].Add(new Local { Name = q, Bound = call.Value.Bound });
            return false;
        }

        /// <summary>A deep Horner chain, a long sum, or nested calls, as one local.</summary>
        private bool? DeepStatement()
        {
            var vars = Visible.Where(l => !l.IsData && !l.IsInt && !l.IsFloat && !l.IsRef).ToList();
            if (vars.Count == 0)
            {
                return null;
            }

            Ex Var() { var v = Pick(vars); return Bounded(new Ex(v.Name, v.Bound, Atom: true), 2); }
            string name = NewName("v");
            int max = Math.Max(20, _f.MaxDeepTerms);
            switch (_rng.Next(3))
            {
                case 0:
                {
                    // ((((v·0.5 + a)·0.5 + b)·0.5 + c)...): |value| ≤ 2·max|leaf|, depth 20–60.
                    _tags.Add("deep-nesting");
                    int levels = 20 + _rng.Next(Math.Min(41, max - 19));
                    var text = new StringBuilder(Var().Text);
                    for (int i = 0; i < levels; i++)
                    {
                        text.Insert(0, '(').Append(" * 0.5 + ").Append(Chance(0.5) ? Var().Text : Num(Pick(Constants))).Append(')');
                    }

                    Line("double " + name + " = " + text + ";");
                    _scopes[^1].Add(new Local { Name = name, Bound = 2 * 4 });
                    return false;
                }

                case 1:
                {
                    // A long sum, scaled by its length.
                    _tags.Add("long-sum");
                    int terms = 50 + _rng.Next(Math.Max(1, max - 49));
                    var parts = Enumerable.Range(0, terms).Select(i => _rng.Next(3) switch
                    {
                        0 => Num(Pick(Constants)) + " * " + Var().P,
                        1 => Fn("Sin") + "(" + Var().Text + " * " + Num(0.01 * (i + 1)) + ")",
                        _ => Var().P + " * " + Var().P,
                    });
                    Line("double " + name + " = (" + string.Join(" + ", parts) + ") * " + Num(1.0 / terms) + ";");
                    _scopes[^1].Add(new Local { Name = name, Bound = 4 });
                    return false;
                }

                default:
                {
                    // Nested calls: Sin(Cos(Tanh(Sin(...)))), 20–40 levels.
                    _tags.Add("deep-calls");
                    int levels = 20 + _rng.Next(21);
                    var text = Var().Text;
                    for (int i = 0; i < levels; i++)
                    {
                        text = Fn(Pick(new[] { "Sin", "Cos", "Tanh", "Atan" })) + "(" + (Chance(0.3) ? text + " + " + Var().P : text) + ")";
                    }

                    Line("double " + name + " = " + text + ";");
                    _scopes[^1].Add(new Local { Name = name, Bound = 1.6 });
                    return false;
                }
            }
        }

        // ---------------------------------------------------------------- expressions

        /// <summary>One of the new expression productions, or null to fall back.</summary>
        private Ex? NewOperation(int depth)
        {
            switch (_rng.Next(10))
            {
                case 0 when _f.Helpers:
                case 1 when _f.Helpers:
                {
                    var helpers = HelperCandidates(HelperShape.Scalar).Concat(Chance(0.2) ? HelperCandidates(HelperShape.Tuple) : Array.Empty<RandomMethod>()).ToList();
                    if (helpers.Count == 0)
                    {
                        return null;
                    }

                    var helper = helpers[Math.Max(0, helpers.Count - 1 - _rng.Next(Math.Min(helpers.Count, 20)))];
                    var call = HelperCall(helper, depth);
                    if (call is null)
                    {
                        return null;
                    }

                    return helper.Helper == HelperShape.Tuple
                        ? new Ex(call.Value.Text + (Chance(0.5) ? ".Item1" : ".Item2"), call.Value.Bound, Atom: true)
                        : call;
                }

                case 2 when _f.Linq:
                    return Linq(depth);
                case 3 when _f.Switches:
                    return SwitchExpression(depth);
                case 4 when _f.LocalFunctions && _functions.Any(f => !f.CreatesArrays || !_inLoopCondition || _f.ArraysCreatedInLoopConditions):
                {
                    var fn = Pick(_functions.Where(f => !f.CreatesArrays || !_inLoopCondition || _f.ArraysCreatedInLoopConditions).ToList());
                    _tags.Add("call-local-function");
                    var args = Enumerable.Range(0, fn.Arity).Select(_ => Bounded(Expr(depth - 2), ArgumentBound).Text);

                    return new Ex(fn.Name + "(" + string.Join(", ", args) + ")", fn.Bound, Atom: true);
                }

                case 5 when _f.Structs && _structs.Count > 0:
                {
                    var a = Pick(_structs);
                    if (Chance(0.5))
                    {
                        _tags.Add("struct-method");
                        return Bounded(new Ex(a.Name + ".Norm2", 2 * a.Bound * a.Bound, Atom: true), BoundLimit);
                    }

                    var b = Pick(_structs);
                    _tags.Add("struct-method");
                    return Bounded(new Ex(a.Name + ".Dot(" + b.Name + ")", 2 * a.Bound * b.Bound, Atom: true), BoundLimit);
                }

                case 6 when _f.NumericCasts:
                {
                    var e = Sub(depth);
                    var r = Sub(depth);
                    switch (_rng.Next(3))
                    {
                        case 0:
                            _tags.Add("(long)");
                            return new Ex("0.5 * (double)(long)" + e.P + " + " + r.Text, e.Bound / 2 + 1 + r.Bound);
                        case 1:
                            _tags.Add("(short)");
                            return new Ex("0.25 * (double)(short)(4.0 * " + e.P + ") + " + r.Text, e.Bound + 1 + r.Bound);
                        default:
                        {
                            // decimal of data: exact (derivative zero).
                            _tags.Add("decimal-data");
                            var d = Bounded(DataExpr(1), ArgumentBound);
                            return new Ex("(double)(decimal)" + d.P + " * " + r.P, d.Bound * r.Bound);
                        }
                    }
                }

                case 7 when _f.Slices && _lambdaDepth == 0:
                {
                    // A read through a slice: x.AsSpan(o)[i].
                    var arrays = _arrays.ToList();
                    if (arrays.Count == 0)
                    {
                        return null;
                    }

                    var a = Pick(arrays);
                    var (text, _) = Slice(a, out string tag);
                    _tags.Add(tag);
                    return new Ex(text + "[0]", a.Bound, Atom: true);
                }

                default:
                    return null;
            }
        }

        private List<RandomMethod> HelperCandidates(HelperShape shape) =>
            _earlier.Where(m => m.Helper == shape && m.Level < _f.MaxLevel && FitsALoopCondition(m)).ToList();

        /// <summary>A call of a helper with arguments of its exact parameter types, or null when some argument cannot be made here.</summary>
        private Ex? HelperCall(RandomMethod helper, int depth)
        {
            var args = new List<string>();
            foreach (var p in helper.Parameters)
            {
                string? arg = p.Kind switch
                {
                    ParamKind.DiffArray => ArrayArgument(p.Type),
                    ParamKind.DiffStruct => StructArgument(depth),
                    ParamKind.Int => IntArgument(),
                    _ => Bounded(Expr(depth - 2), ArgumentBound).Text,
                };
                if (arg is null)
                {
                    return null;
                }

                args.Add(arg);
            }

            _tags.Add("helper-call");
            _tags.Add(helper.Helper switch { HelperShape.Tuple => "helper-tuple", HelperShape.Struct => "helper-struct", HelperShape.Writer => "helper-writer", _ => "helper-scalar" });
            if (_helper != HelperShape.None)
            {
                _tags.Add("helper-in-helper");
            }

            _callees.Add(helper);
            return new Ex(helper.Name + "(" + string.Join(", ", args) + ")", helper.OutputBound, Atom: true);
        }

        /// <summary>An argument for an array parameter of <paramref name="type"/>: an array in scope, a slice, a new array; null when none fits.</summary>
        private string? ArrayArgument(string type)
        {
            var options = new List<string>();
            foreach (var a in _arrays)
            {
                if (ArgumentFor(type, a) is { } arg)
                {
                    options.Add(arg);
                }
            }

            if ((type == "double[]" || (_f.ImplicitSpanConversions && _lambdaDepth == 0)) && (!_inLoopCondition || _f.ArraysCreatedInLoopConditions))
            {
                // A new array of expressions, or a collection expression.
                var es = Enumerable.Range(0, 1 + _rng.Next(3)).Select(_ => Bounded(Expr(1), SampledBound).Text).ToList();
                bool collection = Chance(0.4);
                options.Add((collection ? "[" : "new[] { ") + string.Join(", ", es) + (collection ? "]" : " }") + (collection ? "\u0001arg-collection" : "\u0001arg-new-array"));
            }

            if (options.Count == 0)
            {
                return null;
            }

            string pick = Pick(options);
            int tag = pick.IndexOf('\u0001');
            if (tag >= 0)
            {
                _tags.Add(pick.Substring(tag + 1));
                pick = pick.Substring(0, tag);
            }

            return pick;
        }

        /// <summary>How <paramref name="a"/> (whole or sliced) is passed to a parameter of <paramref name="type"/>, or null.</summary>
        private string? ArgumentFor(string type, ArrayInfo a)
        {
            if (_lambdaDepth > 0 && (a.IsSpan || type != "double[]"))
            {
                return null;
            }

            // With implicit conversions on, an explicit AsSpan still comes up (below) a third of the time.
            bool implicitOk = _f.ImplicitSpanConversions && type != "double[]" && !(type == "Span<double>" && a.Type == "ReadOnlySpan<double>")
                && !(type == "Span<double>" && a.Type == "double[]" && Chance(0.35));
            if (a.Type == type || implicitOk)
            {
                if (Chance(0.25) && (a.Type == type))
                {
                    var (text, sliceType) = Slice(a, out string tag);
                    if (sliceType == type)
                    {
                        _tags.Add(tag == "slice-range" ? "arg-range" : tag == "slice-asspan" ? "arg-asspan-range" : "arg-slice");
                        return text;
                    }
                }

                _tags.Add(a.IsSpan ? "arg-span" : "arg-array");
                return a.Name;
            }

            if (type == "Span<double>" && a.Type == "double[]" && (!a.CreatedInBranch || _f.AsSpanOfArraysCreatedInBranches))
            {
                // The explicit conversion that every C# user can write.
                if (Chance(0.6))
                {
                    _tags.Add("arg-asspan");
                    return a.Name + ".AsSpan()";
                }

                _tags.Add("arg-asspan-range");
                return a.Name + ".AsSpan(" + a.Name + ".Length / 2)";
            }

            return null;
        }

        private string StructArgument(int depth)
        {
            if (_structs.Count > 0 && Chance(0.5))
            {
                return Pick(_structs).Name;
            }

            return StructValue(Math.Max(0, depth - 2)).Text;
        }

        /// <summary>The argument of a [NoDerivative] parameter of a [Differentiable] callee: data, or (propagated) a differentiable value.</summary>
        private string DataArgument(int depth, RandomMethod callee)
        {
            // A callee that converts its data through decimal (exact on data) would rightly be refused (SG0025) once a
            // differentiable value flows into that data: propagate only into callees without such a conversion.
            if (_f.DifferentiableIntoDataParameters && !ConvertsThroughDecimal(callee) && Chance(0.3))
            {
                _tags.Add("diff-to-data-arg");
                return Bounded(Expr(depth - 2), ArgumentBound).Text;
            }

            return Bounded(DataExpr(1), ArgumentBound).Text;
        }

        private static bool ConvertsThroughDecimal(RandomMethod m)
        {
            var stack = new Stack<RandomMethod>();
            var seen = new HashSet<RandomMethod>();
            stack.Push(m);
            while (stack.Count > 0)
            {
                var x = stack.Pop();
                if (!seen.Add(x))
                {
                    continue;
                }

                if (x.Tags.Contains("decimal-data"))
                {
                    return true;
                }

                foreach (var c in x.Callees)
                {
                    stack.Push(c);
                }
            }

            return false;
        }

        /// <summary>LINQ over a double[] in scope (a span through ToArray()), the lambdas built by <see cref="InLambda"/>.</summary>
        private Ex? Linq(int depth)
        {
            // A span goes through ToArray(), a new array: not in a loop condition (ArrayCreatedInALoopCondition).
            var sources = _arrays.Where(a => a.Type == "double[]" || (_lambdaDepth == 0 && (!_inLoopCondition || _f.ArraysCreatedInLoopConditions))).ToList();
            if (sources.Count == 0)
            {
                return null;
            }

            var a = Pick(sources);
            string src = a.Name;
            if (a.Type != "double[]")
            {
                _tags.Add("linq-span");
                src = a.Name + ".ToArray()";
            }

            double n = a.LengthBound;
            Ex Lambda(out string parameter)
            {
                var p = new Local { Name = NewName("l"), Bound = a.Bound };
                parameter = p.Name;
                return InLambda(false, new[] { p }, () => Bounded(Expr(depth - 1), 3));
            }

            switch (_rng.Next(10))
            {
                case 0:
                    _tags.Add("linq-sum");
                    return new Ex(src + ".Sum()", n * a.Bound, Atom: true);
                case 1:
                {
                    _tags.Add("linq-select");
                    var body = Lambda(out string p);
                    return Chance(0.5)
                        ? new Ex(src + ".Select(" + p + " => " + body.Text + ").Sum()", n * body.Bound, Atom: true)
                        : new Ex(src + ".Sum(" + p + " => " + body.Text + ")", n * body.Bound, Atom: true);
                }

                case 2:
                {
                    _tags.Add("linq-max");
                    if (Chance(0.5))
                    {
                        return new Ex(src + ".Max()", a.Bound, Atom: true);
                    }

                    var body = Lambda(out string p);
                    return new Ex(src + ".Max(" + p + " => " + body.Text + ")", body.Bound, Atom: true);
                }

                case 3:
                    _tags.Add("linq-min");
                    return new Ex(src + ".Min()", a.Bound, Atom: true);
                case 4:
                {
                    _tags.Add("linq-average");
                    var body = Lambda(out string p);
                    return Chance(0.5) ? new Ex(src + ".Average()", a.Bound, Atom: true) : new Ex(src + ".Average(" + p + " => " + body.Text + ")", body.Bound, Atom: true);
                }

                case 5:
                {
                    var others = _arrays.Where(b => b.Type == "double[]").ToList();
                    if (others.Count == 0 || a.Type != "double[]")
                    {
                        goto case 0;
                    }

                    _tags.Add("linq-zip");
                    var b = Pick(others);
                    string x = NewName("l");
                    string y = NewName("l");
                    return new Ex(src + ".Zip(" + b.Name + ", (" + x + ", " + y + ") => " + x + " * " + y + ").Sum()", n * a.Bound * b.Bound, Atom: true);
                }

                case 6:
                {
                    _tags.Add("linq-aggregate");
                    var acc = new Local { Name = NewName("l"), Bound = 2 * 3 };
                    var e = new Local { Name = NewName("l"), Bound = a.Bound };
                    var body = InLambda(false, new[] { e }, () => Bounded(Expr(depth - 1), 3));
                    return new Ex(src + ".Aggregate(0.0, (" + acc.Name + ", " + e.Name + ") => 0.5 * " + acc.Name + " + " + body.P + ")", 6, Atom: true);
                }

                case 7:
                {
                    _tags.Add("linq-where");
                    string p = NewName("l");
                    return new Ex(src + ".Where(" + p + " => " + p + " > " + Num(Pick(new[] { -0.5, 0.0, 0.5 })) + ").Sum()", n * a.Bound, Atom: true);
                }

                case 8:
                {
                    // order statistics weighted by rank: continuous (a tie swaps equal values), kinks at ties
                    _tags.Add("linq-orderby");
                    string p = NewName("l");
                    string v = NewName("l");
                    string i = NewName("l");
                    string order = _rng.Next(4) switch
                    {
                        0 => ".Order()",
                        1 => ".OrderDescending()",
                        2 => ".OrderBy(" + p + " => " + p + ")",
                        _ => ".OrderByDescending(" + p + " => " + p + ")",
                    };
                    return Chance(0.5)
                        ? new Ex(src + order + ".Select((" + v + ", " + i + ") => " + v + " * (" + i + " + 1)).Sum()", n * n * a.Bound, Atom: true)
                        : new Ex(src + order + ".ElementAt(" + a.Name + ".Length / 2)", a.Bound, Atom: true);
                }

                default:
                {
                    _tags.Add("linq-index");
                    string p = NewName("l");
                    string i = NewName("l");
                    return new Ex(src + ".Select((" + p + ", " + i + ") => " + p + " * (" + i + " + 1)).Sum()", n * n * a.Bound, Atom: true);
                }
            }
        }

        private Ex SwitchExpression(int depth)
        {
            var ints = Visible.Where(l => (l.IsParameter && l.Name is "k" or "n") || l.IsInt).ToList();
            switch (_rng.Next(3))
            {
                case 0 when ints.Count > 0:
                {
                    _tags.Add("switch-int");
                    var k = Pick(ints);
                    var arms = Enumerable.Range(0, 3).Select(_ => Sub(depth)).ToList();
                    return new Ex("((" + k.Name + " % 3) switch { 0 => " + arms[0].Text + ", 1 => " + arms[1].Text + ", _ => " + arms[2].Text + " })", arms.Max(x => x.Bound), Atom: true);
                }

                case 1:
                {
                    _tags.Add("switch-when");
                    var subject = Bounded(Sub(depth), 6);
                    var t1 = new Local { Name = NewName("sw"), Bound = subject.Bound };
                    var t2 = new Local { Name = NewName("sw"), Bound = subject.Bound };
                    double c = Pick(new[] { -0.5, 0.0, 0.5, 1.0 });
                    _scopes.Add(new List<Local> { t1 });
                    var first = Sub(depth);
                    PopScope();
                    _scopes.Add(new List<Local> { t2 });
                    var second = Sub(depth);
                    PopScope();
                    return new Ex("(" + subject.P + " switch { var " + t1.Name + " when " + t1.Name + " > " + Num(c) + " => " + first.Text + ", var " + t2.Name + " => " + second.Text + " })",
                        Math.Max(first.Bound, second.Bound), Atom: true);
                }

                default:
                {
                    _tags.Add("switch-relational");
                    var subject = Sub(depth);
                    double lo = Pick(new[] { -1.0, -0.5, 0.0 });
                    double hi = lo + Pick(new[] { 0.5, 1.0, 2.0 });
                    var arms = Enumerable.Range(0, 3).Select(_ => Sub(depth)).ToList();
                    return new Ex("(" + subject.P + " switch { < " + Num(lo) + " => " + arms[0].Text + ", > " + Num(hi) + " => " + arms[1].Text + ", _ => " + arms[2].Text + " })",
                        arms.Max(x => x.Bound), Atom: true);
                }
            }
        }

        /// <summary>and/or/not patterns on a real value, or an or pattern on an int.</summary>
        private string PatternCondition()
        {
            var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
            var e = Expr(1);
            double lo = Pick(new[] { -1.0, -0.5, 0.0, 0.25 });
            double hi = lo + Pick(new[] { 0.5, 1.0, 2.0 });
            switch (_rng.Next(4))
            {
                case 0:
                    _tags.Add("pattern-and");
                    return "(" + e.P + " is > " + Num(lo) + " and < " + Num(hi) + ")";
                case 1:
                    _tags.Add("pattern-or");
                    return "(" + e.P + " is < " + Num(lo) + " or > " + Num(hi) + ")";
                case 2 when ints.Count > 0:
                    _tags.Add("pattern-int");
                    return "(" + Pick(ints).Name + " is 1 or 3)";
                default:
                    _tags.Add("pattern-not");
                    return "(" + e.P + " is not > " + Num(lo) + ")";
            }
        }

        // ---------------------------------------------------------------- writers

        /// <summary>
        /// An ADBench-style helper that writes its last Span parameter: o[i] = f(a[i % a.Length], s, i). Its input is a
        /// double[], Span or ReadOnlySpan.
        /// </summary>
        private RandomMethod BuildWriter()
        {
            string type = Pick(new[] { "double[]", "Span<double>", "Span<double>", "ReadOnlySpan<double>" });
            _parameters.Add(new ParamSpec("a", ParamKind.DiffArray, type));
            _parameters.Add(new ParamSpec("s", ParamKind.Diff));
            _parameters.Add(new ParamSpec("o", ParamKind.DiffArray, "Span<double>"));
            double c1 = Pick(new[] { 0.5, 1.5, -0.75, 2.0 });
            double c2 = Pick(new[] { 0.25, -0.5, 1.0 });
            double c3 = Pick(new[] { 0.1, -0.2, 0.05 });
            string f = _rng.Next(3) switch
            {
                0 => "Math.Tanh(" + Num(c1) + " * a[i % a.Length] + " + Num(c2) + " * s) + " + Num(c3) + " * i",
                1 => "a[i % a.Length] * Math.Sin(" + Num(c2) + " * s + " + Num(c3) + " * i)",
                _ => "Math.Max(a[i % a.Length], " + Num(c2) + " * s) + " + Num(c3) + " * a[(i + 1) % a.Length]",
            };
            string source = "    private static void " + _name + "(" + type + " a, double s, Span<double> o)\n    {\n" +
                            "        for (int i = 0; i < o.Length; i++)\n        {\n            o[i] = " + f + ";\n        }\n    }\n";
            return new RandomMethod
            {
                Name = _name,
                Parameters = _parameters.ToList(),
                Source = source,
                Level = 0,
                Callees = Array.Empty<RandomMethod>(),
                OutputBound = 3,
                UsesFloat = false,
                Tags = _tags,
                Index = _index,
                Helper = HelperShape.Writer,
            };
        }
    }
}
