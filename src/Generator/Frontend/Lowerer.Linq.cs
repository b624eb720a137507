using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// LINQ over arrays, spans, ranges and data lists becomes loops: Select and Where are maps and filters applied to each
/// element, the consumer (Sum, Average, Max, Min, Count, Aggregate, Any, All, ToArray...) is the loop's body.
/// </summary>
internal sealed partial class Lowerer
{
    private static readonly HashSet<string> SequenceOperators = new(StringComparer.Ordinal)
    {
        "Select", "Where", "Range", "Repeat", "Skip", "Take", "Zip", "AsEnumerable", "Reverse", "Index", "Concat",
        "OrderBy", "OrderByDescending", "Order", "OrderDescending", "SelectMany", "Chunk",
    };

    private FValue LowerLinq(IInvocationOperation inv)
    {
        var method = inv.TargetMethod;
        if (SequenceOperators.Contains(method.Name))
        {
            return (FValue?)AsSequence(inv) ?? new Scalar(Poison.Of(IrType.Object));
        }

        var args = inv.Arguments;
        if (args.Length == 0)
        {
            return NotYet(inv, "Enumerable." + method.Name, "use it on an array, a span or a sequence");
        }

        var source = AsSequence(args[0].Value);
        if (source is null)
        {
            return new Scalar(Poison.Of(IrTypeOrData(inv.Type)));
        }

        var resultSymbol = Concrete(inv.Type!);
        var resultType = IrTypeOf(resultSymbol);
        FunctionValue? Fn(int i) => i < args.Length ? AsFunction(args[i].Value) : null;
        string src = SourceText(inv.Syntax);
        if (method.Name is "First" or "Last" or "ElementAt" && (args.Length == 1 || method.Name == "ElementAt") && source.HasFlatten
            && !source.Stages.Exists(st => st.IsFilter) && Materialized(source, args[0].Value, inv) is { } flattened)
        {
            // w.SelectMany(r => r).Last(): the flattened elements in an array (its lambdas have no side effects to run
            // twice), then the element at the position.
            source = flattened;
        }

        switch (method.Name)
        {
            case "Sum" or "Average":
                {
                    if (args.Length == 2)
                    {
                        var selector = Fn(1);
                        if (selector is null)
                        {
                            return new Scalar(Poison.Of(resultType ?? IrType.Double));
                        }

                        source = source.With(new SequenceStage(selector, false, false));
                    }

                    if (resultType is null || !(resultType.IsReal || resultType.IsInt))
                    {
                        return NotYet(inv, "Enumerable." + method.Name + " of this type", "sum numbers");
                    }

                    // Enumerable sums floats in double, integers checked, doubles in order.
                    var accType = resultType.IsReal ? (resultType.IsSingle ? IrType.Double : resultType) : (method.Name == "Average" ? IrType.Int64 : resultType);
                    var sum = new SyntheticKey("sum");
                    var count = new SyntheticKey("count");
                    Bind(sum, new Scalar(accType.IsReal ? new Const(0, accType) : new Lit("0", accType)));
                    Bind(count, new Scalar(Lit.Int(0)));
                    ForEachElement(source!, src, false, false, null, null, inv, e =>
                    {
                        var acc = ((Scalar)_env.Get(sum)!).Operand;
                        if (e is not Scalar { Operand: var x })
                        {
                            Unsupported(inv, "summing structs", "sum numbers");
                            return Flow.Normal;
                        }

                        Operand next = accType.IsReal
                            ? Emit(Opcode.Add, accType, new[] { acc, ToReal(x, accType) }, source: src)
                            : Emit(Opcode.IAdd, accType, new[] { acc, x.Type.Equals(accType) ? x : Emit(Opcode.Cast, accType, new[] { x }) }, true, src);
                        Bind(sum, new Scalar(next));
                        var c = ((Scalar)_env.Get(count)!).Operand;
                        Bind(count, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { c, Lit.Int(1) })));
                        return Flow.Normal;
                    });
                    var total = ((Scalar)_env.Get(sum)!).Operand;
                    var n = ((Scalar)_env.Get(count)!).Operand;
                    _env.Remove(sum);
                    _env.Remove(count);
                    if (method.Name == "Sum")
                    {
                        return new Scalar(accType.Equals(resultType) ? total : resultType.IsReal ? ToReal(total, resultType) : Emit(Opcode.Cast, resultType, new[] { total }));
                    }

                    ThrowIfEmpty(n);
                    if (resultType.IsSingle)
                    {
                        // Enumerable.Average of floats divides the double sum in double, then rounds to float once.
                        var mean = Emit(Opcode.Div, IrType.Double, new[] { total, Emit(Opcode.Cast, IrType.Double, new[] { n }) }, source: src);
                        return new Scalar(ToReal(mean, resultType));
                    }

                    var totalReal = total.Type.IsReal ? ToReal(total, resultType.IsReal ? resultType : IrType.Double) : Emit(Opcode.Cast, resultType.IsReal ? resultType : IrType.Double, new[] { total });
                    var avgType = resultType.IsReal ? resultType : IrType.Double;
                    return new Scalar(Emit(Opcode.Div, avgType, new[] { ToReal(totalReal, avgType), Emit(Opcode.Cast, avgType, new[] { n }) }, source: src));
                }

            case "Max" or "Min":
                {
                    if (args.Length == 2)
                    {
                        var selector = Fn(1);
                        if (selector is null)
                        {
                            return new Scalar(Poison.Of(resultType ?? IrType.Double));
                        }

                        source = source.With(new SequenceStage(selector, false, false));
                    }

                    if (resultType is null || !(resultType.IsReal || resultType.IsInt))
                    {
                        return NotYet(inv, "Enumerable." + method.Name + " of this type", "use it on numbers");
                    }

                    bool max = method.Name == "Max";
                    var best = new SyntheticKey(max ? "max" : "min");
                    var seen = new SyntheticKey("any");
                    Bind(best, new Scalar(resultType.IsReal ? new Const(0, resultType) : new Lit("0", resultType)));
                    Bind(seen, new Scalar(Lit.False));
                    ForEachElement(source!, src, false, false, null, null, inv, e =>
                    {
                        if (e is not Scalar { Operand: var x })
                        {
                            return Flow.Normal;
                        }

                        x = resultType.IsReal ? ToReal(x, resultType) : x;
                        var acc = ((Scalar)_env.Get(best)!).Operand;
                        var any = ((Scalar)_env.Get(seen)!).Operand;
                        Operand combined = resultType.IsReal
                            ? Emit(Opcode.Select, resultType, new[] { EnumerableTakes(max, x, acc, resultType), x, acc }, source: src)
                            : Emit(Opcode.Select, resultType, new[] { Emit(Opcode.Cmp, IrType.Bool, new[] { x, acc }, max ? CmpKind.Gt : CmpKind.Lt), x, acc });
                        Bind(best, new Scalar(Emit(Opcode.Select, resultType, new[] { any, combined, x })));
                        Bind(seen, new Scalar(Lit.True));
                        return Flow.Normal;
                    });
                    var result = ((Scalar)_env.Get(best)!).Operand;
                    var found = ((Scalar)_env.Get(seen)!).Operand;
                    _env.Remove(best);
                    _env.Remove(seen);
                    ThrowUnless(found, "new global::System.InvalidOperationException(\"Sequence contains no elements\")");
                    return new Scalar(result);
                }

            case "MinBy" or "MaxBy" when args.Length == 2:
                {
                    // Enumerable.Range(0, k).MinBy(j => Dist(x, c[j])): the first element whose key compares below (above)
                    // every earlier one, with the default comparer (a NaN key is below every number), as MinBy runs.
                    var keyOf = Fn(1);
                    var keyType = keyOf?.Lambda?.Symbol.ReturnType is { } kt ? IrTypeOf(Concrete(kt)) : keyOf?.Method?.ReturnType is { } mt ? IrTypeOf(Concrete(mt)) : null;
                    if (keyOf is null || resultType is null || !(resultType.IsReal || resultType.IsInt) || keyType is null || !(keyType.IsReal || keyType.IsInt))
                    {
                        return NotYet(inv, "Enumerable." + method.Name + " of this type", "use it on numbers or indexes by a number key (Enumerable.Range(0, n)." + method.Name + "(i => key[i]))");
                    }

                    bool byMax = method.Name == "MaxBy";
                    var bestValue = new SyntheticKey("best");
                    var bestKey = new SyntheticKey("bestKey");
                    var seen = new SyntheticKey("any");
                    Bind(bestValue, new Scalar(resultType.IsReal ? new Const(0, resultType) : new Lit("0", resultType)));
                    Bind(bestKey, new Scalar(keyType.IsReal ? new Const(0, keyType) : new Lit("0", keyType)));
                    Bind(seen, new Scalar(Lit.False));
                    ForEachElement(source!, src, false, false, null, null, inv, e =>
                    {
                        if (e is not Scalar { Operand: var x } || InvokeFunction(keyOf, new[] { e }, inv) is not Scalar { Operand: var key })
                        {
                            return Flow.Normal;
                        }

                        var accKey = ((Scalar)_env.Get(bestKey)!).Operand;
                        var acc = ((Scalar)_env.Get(bestValue)!).Operand;
                        var any = ((Scalar)_env.Get(seen)!).Operand;
                        Operand better = keyType.IsReal
                            ? Emit(Opcode.Opaque, IrType.Bool, new[] { key, accKey }, new OpaqueInfo(new[] { "(", ").CompareTo(", byMax ? ") > 0" : ") < 0" }, pure: true, effectFree: true) { Step = true })
                            : Emit(Opcode.Cmp, IrType.Bool, new[] { key, accKey }, byMax ? CmpKind.Gt : CmpKind.Lt);
                        var take = Emit(Opcode.Or, IrType.Bool, new[] { Emit(Opcode.Not, IrType.Bool, new[] { any }), better });
                        Bind(bestValue, new Scalar(Emit(Opcode.Select, resultType, new[] { take, resultType.IsReal ? ToReal(x, resultType) : x, acc }, source: src)));
                        Bind(bestKey, new Scalar(Emit(Opcode.Select, keyType, new[] { take, key, accKey })));
                        Bind(seen, new Scalar(Lit.True));
                        return Flow.Normal;
                    });
                    var chosen = ((Scalar)_env.Get(bestValue)!).Operand;
                    var nonEmpty = ((Scalar)_env.Get(seen)!).Operand;
                    _env.Remove(bestValue);
                    _env.Remove(bestKey);
                    _env.Remove(seen);
                    ThrowUnless(nonEmpty, "new global::System.InvalidOperationException(\"Sequence contains no elements\")");
                    return new Scalar(chosen);
                }

            case "Count" or "LongCount":
                {
                    if (args.Length == 2 && Fn(1) is { } predicate)
                    {
                        source = source.With(new SequenceStage(predicate, true, false));
                    }

                    var count = new SyntheticKey("count");
                    Bind(count, new Scalar(Lit.Int(0)));
                    ForEachElement(source!, src, false, false, null, null, inv, e =>
                    {
                        var c = ((Scalar)_env.Get(count)!).Operand;
                        Bind(count, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { c, Lit.Int(1) })));
                        return Flow.Normal;
                    });
                    var n = ((Scalar)_env.Get(count)!).Operand;
                    _env.Remove(count);
                    return new Scalar(method.Name == "LongCount" ? Emit(Opcode.Cast, IrType.Int64, new[] { n }) : n);
                }

            case "Aggregate":
                {
                    var func = args.Length >= 3 || (args.Length == 2 && args[1].Parameter?.Name == "func") ? Fn(args.Length >= 3 ? 2 : 1) : null;
                    if (args.Length == 2)
                    {
                        // Aggregate(func): the first element is the seed.
                        func = Fn(1);
                    }
                    else
                    {
                        func = Fn(2);
                    }

                    if (func is null)
                    {
                        return new Scalar(Poison.Of(resultType ?? IrType.Double));
                    }

                    var acc = new SyntheticKey("acc");
                    var seen = new SyntheticKey("any");
                    bool seeded = args.Length >= 3;
                    Bind(acc, seeded ? LowerExpr(args[1].Value) : ZeroOf(source is null ? inv.Type! : inv.Type!, inv));
                    Bind(seen, new Scalar(Lit.False));
                    ForEachElement(source!, src, false, false, null, null, inv, e =>
                    {
                        var current = _env.Get(acc)!;
                        if (seeded)
                        {
                            Bind(acc, InvokeFunction(func, new[] { current, e }, inv));
                            return Flow.Normal;
                        }

                        var any = ((Scalar)_env.Get(seen)!).Operand;
                        var key = new SyntheticKey("step");
                        EmitIf(any, () =>
                        {
                            Bind(key, InvokeFunction(func, new[] { current, e }, inv));
                            return Flow.Normal;
                        }, () =>
                        {
                            Bind(key, e);
                            return Flow.Normal;
                        });
                        Bind(acc, _env.Get(key)!);
                        _env.Remove(key);
                        Bind(seen, new Scalar(Lit.True));
                        return Flow.Normal;
                    });
                    var result = _env.Get(acc)!;
                    var found = ((Scalar)_env.Get(seen)!).Operand;
                    _env.Remove(acc);
                    _env.Remove(seen);
                    if (!seeded)
                    {
                        ThrowUnless(found, "new global::System.InvalidOperationException(\"Sequence contains no elements\")");
                    }

                    if (args.Length == 4 && Fn(3) is { } resultSelector)
                    {
                        return InvokeFunction(resultSelector, new[] { result }, inv);
                    }

                    return result;
                }

            case "Any" or "All":
                {
                    bool all = method.Name == "All";
                    var predicate = args.Length == 2 ? Fn(1) : null;
                    if (ChangesOuterState(source, predicate) is { } writer)
                    {
                        return RefuseEffectfulQuery(inv, method.Name, writer);
                    }

                    var flag = new SyntheticKey(all ? "all" : "any");
                    Bind(flag, new Scalar(Lit.Bool(all)));
                    ForEachElement(source!, src, false, false, null, null, inv, e =>
                    {
                        var current = ((Scalar)_env.Get(flag)!).Operand;
                        var test = predicate is null ? Lit.True : InvokeFunction(predicate, new[] { e }, inv) is Scalar { Operand: var t } ? t : Lit.False;
                        Bind(flag, new Scalar(Emit(all ? Opcode.And : Opcode.Or, IrType.Bool, new[] { current, test })));
                        return Flow.Normal;
                    });
                    var result = ((Scalar)_env.Get(flag)!).Operand;
                    _env.Remove(flag);
                    return new Scalar(result);
                }

            case "Contains" when args.Length == 2:
                {
                    if (ChangesOuterState(source, null) is { } writer)
                    {
                        return RefuseEffectfulQuery(inv, method.Name, writer);
                    }

                    var target = LowerExpr(args[1].Value);
                    var flag = new SyntheticKey("found");
                    Bind(flag, new Scalar(Lit.False));
                    ForEachElement(source!, src, false, false, null, null, inv, e =>
                    {
                        var current = ((Scalar)_env.Get(flag)!).Operand;
                        var eq = ApplyBinary(inv, BinaryOperatorKind.Equals, e, target, _compilation.GetSpecialType(SpecialType.System_Boolean), false);
                        Bind(flag, new Scalar(Emit(Opcode.Or, IrType.Bool, new[] { current, eq is Scalar s ? s.Operand : Lit.False })));
                        return Flow.Normal;
                    });
                    var result = ((Scalar)_env.Get(flag)!).Operand;
                    _env.Remove(flag);
                    return new Scalar(result);
                }

            case "First" or "Last" or "ElementAt" when !source.HasFilter && (args.Length == 1 || method.Name == "ElementAt"):
                {
                    var length = source.Length();
                    var (from, to) = SequenceBounds(source, length);
                    var count = Emit(Opcode.ISub, IrType.Int32, new[] { to, from });
                    Operand position = method.Name switch
                    {
                        "First" => Lit.Int(0),
                        "Last" => Emit(Opcode.ISub, IrType.Int32, new[] { count, Lit.Int(1) }),
                        _ => LowerIndex(args[1].Value),
                    };
                    var inRange = Emit(Opcode.And, IrType.Bool, new[]
                    {
                        Emit(Opcode.Cmp, IrType.Bool, new[] { position, Lit.Int(0) }, CmpKind.Ge),
                        Emit(Opcode.Cmp, IrType.Bool, new[] { position, count }, CmpKind.Lt),
                    });
                    ThrowUnless(inRange, method.Name == "ElementAt" ? "new global::System.ArgumentOutOfRangeException(\"index\")" : "new global::System.InvalidOperationException(\"Sequence contains no elements\")");
                    var index = Emit(Opcode.IAdd, IrType.Int32, new[] { from, position });
                    FValue element = new Scalar(Lit.False);
                    ApplyStages(source, index, position, e =>
                    {
                        element = e;
                        return Flow.Normal;
                    }, inv);
                    return element;
                }

            case "ToArray":
                {
                    var element = resultType?.Element;
                    if (element is null)
                    {
                        return NotYet(inv, "ToArray of this type", "make arrays of numbers");
                    }

                    return new Scalar(SequenceToArray(source, element, inv));
                }

            case "First" or "Last" or "ElementAt":
                // Supported on a sequence without a filter; a condition (First(v => v < 0)) or a Where before it is one.
                return NotYet(inv, "Enumerable." + method.Name + (args.Length > 1 && method.Name != "ElementAt" ? " with a condition" : source.HasFlatten ? " after SelectMany" : " after Where"),
                    "write the loop: double found = 0; bool any = false; foreach (var v in w) if (cond) { found = v; any = true;" + (method.Name == "First" ? " break;" : string.Empty) + " } if (!any) throw new InvalidOperationException(\"Sequence contains no matching element\"); ("
                          + method.Name + (method.Name == "ElementAt" ? " of a sequence without Where" : " without a condition, also after Select, Zip, Skip or Take,") + " is supported)");
            case "ThenBy" or "ThenByDescending":
                return NotYet(inv, "Enumerable." + method.Name + " (a second sort key)",
                    "sort by one key of numbers (OrderBy keeps tied elements in their order), or write the loop");
            default:
                return NotYet(inv, "Enumerable." + method.Name + (source.HasFlatten ? " after SelectMany" : source.HasFilter ? " after Where" : string.Empty),
                    "use Sum, Average, Max, Min, Count, Aggregate, Any, All or Contains (also after Select, Where, Zip, Skip, Take), First, Last or ElementAt (also after Select, Zip, Skip, Take), ToArray (also after Where), ToList into a local (var l = q.ToList()) or read at once (q.ToList().Sum()), OrderBy by a number, or write the loop");
        }
    }

    /// <summary>
    /// The elements of a sequence in a new array, as ToArray() makes it. Without a filter the length is known before
    /// the loop; with one (Where) a first pass counts the elements that pass and a second stores them. The stages are
    /// lowered lambdas without side effects, so running them twice gives the same elements; the first pass's values
    /// are used only for the count, so they add nothing to the gradient.
    /// </summary>
    private Operand SequenceToArray(SequenceValue source, IrType element, IOperation at)
    {
        Operand count;
        if (source.HasFilter && ChangesOuterState(source, null) is { } writer)
        {
            RefuseEffectfulQuery(at, "a query with Where made into an array (its lambdas would run twice)", writer);
            return Poison.Of(IrType.ArrayOf(element, ArrayForm.Array, 1));
        }

        if (source.HasFilter)
        {
            var counter = new SyntheticKey("count");
            Bind(counter, new Scalar(Lit.Int(0)));
            ForEachElement(source, SourceText(at.Syntax), false, false, null, null, at, e =>
            {
                var c = ((Scalar)_env.Get(counter)!).Operand;
                Bind(counter, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { c, Lit.Int(1) })));
                return Flow.Normal;
            });
            count = ((Scalar)_env.Get(counter)!).Operand;
            _env.Remove(counter);
        }
        else
        {
            var length = source.Length();
            var (from, to) = SequenceBounds(source, length);
            count = Emit(Opcode.ISub, IrType.Int32, new[] { to, from });
        }

        var array = Alloc(element, new[] { count }, at);
        var position = new SyntheticKey("k");
        Bind(position, new Scalar(Lit.Int(0)));
        ForEachElement(source, SourceText(at.Syntax), false, false, null, null, at, e =>
        {
            var k = ((Scalar)_env.Get(position)!).Operand;
            StoreElement(array, new[] { k }, e, at);
            Bind(position, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { k, Lit.Int(1) })));
            return Flow.Normal;
        });
        _env.Remove(position);
        return array;
    }

    /// <summary>
    /// The first write in a lambda of the query (its Select and Where stages, and <paramref name="extra"/>) to a variable,
    /// element, field or property outside that lambda (w.Any(v => { acc += v; return v > 0; }), Where(v => { n++; ...
    /// })); null when they only compute their result. Such a lambda runs once per element in .NET's order only for
    /// consumers that visit every element once.
    /// </summary>
    private static IOperation? ChangesOuterState(SequenceValue source, FunctionValue? extra)
    {
        foreach (var f in source.Stages.Select(s => s.Function).Concat(source.Stages.Select(s => s.ResultSelector)).Append(extra))
        {
            if (f?.Lambda is not { } lambda)
            {
                continue;
            }

            var root = (IOperation)lambda;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            if (WritesOutside(lambda.Body, lambda.Symbol, root, 0) is { } writer)
            {
                return writer;
            }
        }

        return null;
    }

    /// <summary>
    /// The first operation in <paramref name="body"/> (of the function <paramref name="function"/>) that changes a
    /// variable, element, field or property declared outside it: an assignment, ++ or --, a ref or out argument, a call
    /// of a local function that does (followed a few levels), or of a delegate (whose code is not followed). Null if none.
    /// </summary>
    private static IOperation? WritesOutside(IOperation body, ISymbol function, IOperation root, int depth)
    {
        var own = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var d in body.DescendantsAndSelf())
        {
            switch (d)
            {
                case IVariableDeclaratorOperation declarator:
                    own.Add(declarator.Symbol);
                    break;
                case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol local }:
                    own.Add(local);
                    break;
                case ILocalReferenceOperation { IsDeclaration: true } declared:
                    own.Add(declared.Local);
                    break;
            }
        }

        bool Inside(IOperation t) => t switch
        {
            ILocalReferenceOperation l => own.Contains(l.Local) || l.IsDeclaration,
            IParameterReferenceOperation p => SymbolEqualityComparer.Default.Equals(p.Parameter.ContainingSymbol, function),
            IDiscardOperation => true,
            _ => false,
        };

        foreach (var d in body.DescendantsAndSelf())
        {
            switch (d)
            {
                case IInvocationOperation { TargetMethod.MethodKind: MethodKind.DelegateInvoke }:
                    return d;
                case IInvocationOperation { TargetMethod: { MethodKind: MethodKind.LocalFunction } called }:
                    {
                        var declared = root.DescendantsAndSelf().OfType<ILocalFunctionOperation>()
                            .FirstOrDefault(lf => SymbolEqualityComparer.Default.Equals(lf.Symbol, called.OriginalDefinition));
                        if (declared?.Body is not { } calledBody || depth >= 4 || WritesOutside(calledBody, declared.Symbol, root, depth + 1) is not null)
                        {
                            return d;
                        }

                        break;
                    }

                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } byRef when !Inside(byRef.Value):
                    return d;
            }

            IOperation? target = d switch
            {
                // new { V = v }: the member's initializer, not a write.
                IAssignmentOperation { Parent: IAnonymousObjectCreationOperation } => null,
                IAssignmentOperation a => a.Target,
                IIncrementOrDecrementOperation inc => inc.Target,
                _ => null,
            };
            if (target is null)
            {
                continue;
            }

            var leaves = target is ITupleOperation tuple
                ? tuple.Descendants().Where(t => t is not (ITupleOperation or IDeclarationExpressionOperation or IDiscardOperation or IConversionOperation) && t.Parent is ITupleOperation or IConversionOperation)
                : new[] { target };
            if (leaves.Any(t => !Inside(t)))
            {
                return d;
            }
        }

        return null;
    }

    private FValue RefuseEffectfulQuery(IOperation at, string consumer, IOperation writer) =>
        NotYet(at, consumer.Contains(' ')
                ? "A query with Where made into an array over a lambda that changes something outside it ('" + SourceText(writer.Syntax) + "'; the lambda would run twice)"
                : consumer == "Zip"
                ? "Enumerable.Zip over a lambda that changes something outside it ('" + SourceText(writer.Syntax) + "'; Zip moves the first sequence once more than the pairs it makes)"
                : "Enumerable." + consumer + " over a lambda that changes something outside it ('" + SourceText(writer.Syntax) + "'; " + consumer + " stops at the first element that decides it, and the changes with it)",
            "make the changes in a foreach loop over the elements, and keep the query's lambdas to computing their result");

    /// <summary>
    /// A sequence with a filter, a Skip or a Take, of numbers, as a sequence over a new array of its elements (so that its
    /// length is known before a loop reads it and element i is at index i); any other sequence as it is; null for a
    /// filtered or sliced sequence of anything but numbers. Every consumer asks for the length before the elements.
    /// </summary>
    /// <summary>How many sequences <see cref="Materialized"/> has made into arrays (a foreach over one checks its body).</summary>
    private int _materialized;

    private SequenceValue? Materialized(SequenceValue source, IOperation sourceOperation, IOperation at)
    {
        if (!source.HasFilter && source.Skip is null && source.Take is null)
        {
            return source;
        }

        if (SequenceElement(sourceOperation.Type) is not { } element)
        {
            return null;
        }

        _materialized++;

        // LINQ is lazy: the elements are those the source has when the query is enumerated, so the array is made where
        // the consumer asks for the length (before its loop), not where the query is written (var q = w.Skip(1); ...).
        Operand? array = null;
        return new SequenceValue(
            () =>
            {
                array = SequenceToArray(source, element, at);
                return Emit(Opcode.Length, IrType.Int32, new[] { array });
            },
            i => new Scalar(Load(array ??= SequenceToArray(source, element, at), new[] { i }, at)));
    }

    /// <summary>
    /// The elements of <paramref name="source"/> in a new array, stably sorted by their keys (the elements themselves
    /// without a selector) as Enumerable.OrderBy sorts them with the default comparer: NaN before every number, −0 equal
    /// to +0, ties in their order in the source. Each element goes to its rank, counted over every pair (n² comparisons:
    /// meant for the lengths a loss sorts, a median or a trimmed mean, not for millions of elements).
    /// </summary>
    private Operand SortedArray(SequenceValue source, IrType element, IrType keyType, FunctionValue? selector, bool descending, IOperation at)
    {
        var elements = SequenceToArray(source, element, at);
        var n = Emit(Opcode.Length, IrType.Int32, new[] { elements });
        SequenceValue Over(Operand array) => new(() => Emit(Opcode.Length, IrType.Int32, new[] { array }), i => new Scalar(Load(array, new[] { i }, at)));
        var keys = selector is null ? elements : SequenceToArray(Over(elements).With(new SequenceStage(selector, false, false)), keyType, at);
        var sorted = Alloc(element, new[] { n }, at);
        var indexes = new SequenceValue(() => n, i => new Scalar(i));
        string src = SourceText(at.Syntax);

        Operand IsNaN(Operand v) => Emit(Opcode.Opaque, IrType.Bool, new[] { v }, new OpaqueInfo(new[] { keyType.CSharp + ".IsNaN(", ")" }, pure: true, effectFree: true) { Step = true });
        Operand Less(Operand a, Operand b)
        {
            var lt = Emit(Opcode.Cmp, IrType.Bool, new[] { a, b }, CmpKind.Lt);
            return keyType.IsReal ? Emit(Opcode.Or, IrType.Bool, new[] { lt, Emit(Opcode.And, IrType.Bool, new[] { IsNaN(a), Emit(Opcode.Not, IrType.Bool, new[] { IsNaN(b) }) }) }) : lt;
        }

        Operand Equal(Operand a, Operand b)
        {
            var eq = Emit(Opcode.Cmp, IrType.Bool, new[] { a, b }, CmpKind.Eq);
            return keyType.IsReal ? Emit(Opcode.Or, IrType.Bool, new[] { eq, Emit(Opcode.And, IrType.Bool, new[] { IsNaN(a), IsNaN(b) }) }) : eq;
        }

        ForEachElement(indexes, src, false, false, null, null, at, ei =>
        {
            var i = ((Scalar)ei).Operand;
            var ki = Load(keys, new[] { i }, at);
            var rank = new SyntheticKey("rank");
            Bind(rank, new Scalar(Lit.Int(0)));
            ForEachElement(indexes, src, false, false, null, null, at, ej =>
            {
                var j = ((Scalar)ej).Operand;
                var kj = Load(keys, new[] { j }, at);
                var first = descending ? Less(ki, kj) : Less(kj, ki);
                var tie = Emit(Opcode.And, IrType.Bool, new[] { Equal(kj, ki), Emit(Opcode.Cmp, IrType.Bool, new[] { j, i }, CmpKind.Lt) });
                var before = Emit(Opcode.Or, IrType.Bool, new[] { first, tie });
                var r = ((Scalar)_env.Get(rank)!).Operand;
                Bind(rank, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { r, Emit(Opcode.Select, IrType.Int32, new[] { before, Lit.Int(1), Lit.Int(0) }) })));
                return Flow.Normal;
            });
            var at_ = ((Scalar)_env.Get(rank)!).Operand;
            _env.Remove(rank);
            StoreElement(sorted, new[] { at_ }, new Scalar(Load(elements, new[] { i }, at)), at);
            return Flow.Normal;
        });

        return sorted;
    }

    /// <summary>T of an IEnumerable&lt;T&gt; of numbers, as an IR type; null otherwise.</summary>
    private IrType? SequenceElement(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named)
        {
            return null;
        }

        foreach (var candidate in new[] { named }.Concat(named.AllInterfaces))
        {
            if (candidate is { IsGenericType: true, TypeArguments.Length: 1 } n && n.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IEnumerable<T>")
            {
                var element = IrTypeOrData(n.TypeArguments[0]);
                return element.IsReal || element.IsInt ? element : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Does Enumerable.Max (Min) of reals take the element <paramref name="x"/> over the one kept, <paramref name="acc"/>?
    /// As .NET does, not as Math.Max does: Max takes a greater element, or any over a NaN (NaN is below every number, so
    /// [1, NaN, 3].Max() is 3); Min takes a smaller element or a NaN, and keeps a NaN. A tie keeps the first element
    /// (for ±0 too: [-0.0, 0.0].Max() is -0), and so does the derivative.
    /// </summary>
    private Operand EnumerableTakes(bool max, Operand x, Operand acc, IrType type)
    {
        Operand IsNaN(Operand v) => Emit(Opcode.Opaque, IrType.Bool, new[] { v }, new OpaqueInfo(new[] { type.CSharp + ".IsNaN(", ")" }, pure: true, effectFree: true) { Step = true });
        if (max)
        {
            return Emit(Opcode.Or, IrType.Bool, new[] { Emit(Opcode.Cmp, IrType.Bool, new[] { x, acc }, CmpKind.Gt), IsNaN(acc) });
        }

        var takes = Emit(Opcode.Or, IrType.Bool, new[] { Emit(Opcode.Cmp, IrType.Bool, new[] { x, acc }, CmpKind.Lt), IsNaN(x) });
        return Emit(Opcode.And, IrType.Bool, new[] { takes, Emit(Opcode.Not, IrType.Bool, new[] { IsNaN(acc) }) });
    }

    private void ThrowIfEmpty(Operand count)
    {
        var any = Emit(Opcode.Cmp, IrType.Bool, new[] { count, Lit.Int(0) }, CmpKind.Gt);
        ThrowUnless(any, "new global::System.InvalidOperationException(\"Sequence contains no elements\")");
    }

    /// <summary>A lambda, method group or delegate variable as a function to inline.</summary>
    private FunctionValue? AsFunction(IOperation op)
    {
        var v = LowerExpr(op is IConversionOperation { IsImplicit: true } c ? c.Operand : op);
        if (v is FunctionValue f)
        {
            return f;
        }

        if (v is not Scalar { Operand: Poison })
        {
            Report(DiagnosticDescriptors.DelegateOperation, LocationOf(op), SourceText(op.Syntax), "is a delegate whose code is not known at build time");
        }

        return null;
    }

    /// <summary>The elements of an array, a span, a range, a LINQ chain or a data list, as a sequence.</summary>
    private SequenceValue? AsSequence(IOperation op)
    {
        while (op is IConversionOperation { IsImplicit: true } c)
        {
            op = c.Operand;
        }

        if (op is IInvocationOperation { TargetMethod.Name: "ToList", Arguments.Length: 1 } toList && ContainingName(toList.TargetMethod) == "System.Linq.Enumerable"
            && SequenceElement(toList.Type) is { } listElement)
        {
            // q.ToList() read by a query or a foreach: its elements, copied when it is made, as ToList copies them.
            var copied = AsSequence(toList.Arguments[0].Value);
            if (copied is null)
            {
                return null;
            }

            var array = SequenceToArray(copied, listElement, toList);
            return new SequenceValue(() => Emit(Opcode.Length, IrType.Int32, new[] { array }), i => new Scalar(Load(array, new[] { i }, op)));
        }

        if (op is IInvocationOperation inv && ContainingName(inv.TargetMethod) == "System.Linq.Enumerable" && SequenceOperators.Contains(inv.TargetMethod.Name))
        {
            var args = inv.Arguments;
            string name = inv.TargetMethod.Name;
            switch (name)
            {
                case "Range":
                    {
                        // Checked where the call is, as Enumerable.Range checks (a negative count returned 0 before; red-team).
                        var start = LowerScalar(args[0].Value);
                        var count = args[0].Value.ConstantValue is { HasValue: true, Value: int s0 } && args[1].Value.ConstantValue is { HasValue: true, Value: int c0 } && c0 >= 0 && (long)s0 + c0 - 1 <= int.MaxValue
                            ? LowerScalar(args[1].Value)
                            : Emit(Opcode.Opaque, IrType.Int32, new[] { start, LowerScalar(args[1].Value) },
                                new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.EnumerableChecks.Range(", ", ", ")" }, pure: false, effectFree: false));
                        return new SequenceValue(() => count, i => new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { start, i })));
                    }

                case "Repeat":
                    {
                        var repeated = LowerExpr(args[0].Value);
                        var count = args[1].Value.ConstantValue is { HasValue: true, Value: int c0 } && c0 >= 0
                            ? LowerScalar(args[1].Value)
                            : Emit(Opcode.Opaque, IrType.Int32, new[] { LowerScalar(args[1].Value) },
                                new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.EnumerableChecks.Repeat(", ")" }, pure: false, effectFree: false));
                        return new SequenceValue(() => count, _ => repeated);
                    }

                case "AsEnumerable":
                    return AsSequence(args[0].Value);
                case "Select" or "Where":
                    {
                        var source = AsSequence(args[0].Value);
                        var fn = AsFunction(args[1].Value);
                        if (source is null || fn is null)
                        {
                            return null;
                        }

                        bool withIndex = (fn.Lambda?.Symbol.Parameters.Length ?? fn.Method?.Parameters.Length ?? 1) == 2;
                        if (withIndex && source.HasFilter)
                        {
                            NotYet(inv, "An indexed " + name + (source.HasFlatten ? " after SelectMany" : " after Where"), source.HasFlatten ? "make the flattened elements an array first (ToArray), or count the position in a loop" : "number the elements before filtering");
                            return null;
                        }

                        return source.With(new SequenceStage(fn, name == "Where", withIndex));
                    }

                case "SelectMany":
                    {
                        // rows.SelectMany(r => r): for each element, the elements of the sequence its lambda gives. Only
                        // the one-argument lambda; the index and result-selector overloads are refused.
                        // With a result selector, (r, v) => ..., as query syntax writes from r in w from v in r select ...
                        static int Arity(FunctionValue f) => f.Lambda?.Symbol.Parameters.Length ?? f.Method?.Parameters.Length ?? 1;
                        var fn = args.Length is 2 or 3 ? AsFunction(args[1].Value) : null;
                        var selector = args.Length == 3 ? AsFunction(args[2].Value) : null;
                        if (args.Length is not (2 or 3) || (fn is not null && Arity(fn) != 1) || (selector is not null && Arity(selector) != 2))
                        {
                            NotYet(inv, "SelectMany with an index", "use SelectMany(r => r), SelectMany(r => r.Select(...)) or SelectMany(r => r, (r, v) => ...), or write the nested loops");
                            return null;
                        }

                        var source = AsSequence(args[0].Value);
                        if (source is null || fn is null || (args.Length == 3 && selector is null))
                        {
                            return null;
                        }

                        return source.With(new SequenceStage(fn, false, false, isFlatten: true, resultSelector: selector));
                    }

                case "Skip" or "Take":
                    {
                        var source = AsSequence(args[0].Value);
                        if (source is null)
                        {
                            return null;
                        }

                        if (source.HasFilter || source.Take is not null || (name == "Skip" && source.Skip is not null))
                        {
                            // After Where or Take: the elements so far in an array first, then sliced.
                            source = Materialized(source, args[0].Value, inv);
                            if (source is null)
                            {
                                NotYet(inv, name + " after Where or Take of this type", "use Skip and Take first");
                                return null;
                            }
                        }

                        var n = LowerScalar(args[1].Value);
                        var copy = new SequenceValue(source.Length, source.Element) { Skip = source.Skip, Take = source.Take };
                        copy.Stages.AddRange(source.Stages);
                        if (name == "Skip")
                        {
                            copy.Skip = n;
                        }
                        else
                        {
                            copy.Take = n;
                        }

                        return copy;
                    }

                case "Chunk" when args.Length == 2:
                    {
                        // w.Chunk(3): rows of the elements, each a new array (the last one shorter), as a flat parameter
                        // vector reshaped into rows. The elements are copied into an array where the query is
                        // enumerated, then each row out of it.
                        var source = AsSequence(args[0].Value);
                        if (source is null)
                        {
                            return null;
                        }

                        if (SequenceElement(args[0].Value.Type) is not { } chunked || !(chunked.IsReal || chunked.IsInt))
                        {
                            NotYet(inv, "Chunk of this type", "chunk arrays of numbers, or slice rows with w[(i * d)..((i + 1) * d)]");
                            return null;
                        }

                        var size = Emit(Opcode.Opaque, IrType.Int32, new[] { LowerScalar(args[1].Value) },
                            new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.EnumerableChecks.Chunk(", ")" }, pure: false, effectFree: false));
                        Operand? all = null, total = null;
                        Operand All() => all ??= SequenceToArray(source, chunked, inv);
                        Operand Total() => total ??= Emit(Opcode.Length, IrType.Int32, new[] { All() });
                        return new SequenceValue(
                            () =>
                            {
                                all = null;
                                total = null;
                                var whole = Emit(Opcode.IDiv, IrType.Int32, new[] { Total(), size });
                                var partial = Emit(Opcode.Cmp, IrType.Bool, new[] { Emit(Opcode.IRem, IrType.Int32, new[] { Total(), size }), Lit.Int(0) }, CmpKind.Gt);
                                return Emit(Opcode.IAdd, IrType.Int32, new[] { whole, Emit(Opcode.Select, IrType.Int32, new[] { partial, Lit.Int(1), Lit.Int(0) }) });
                            },
                            i =>
                            {
                                var start = Emit(Opcode.IMul, IrType.Int32, new[] { i, size });
                                var left = Emit(Opcode.ISub, IrType.Int32, new[] { Total(), start });
                                var length = Emit(Opcode.Select, IrType.Int32, new[] { Emit(Opcode.Cmp, IrType.Bool, new[] { left, size }, CmpKind.Lt), left, size });
                                var row = Alloc(chunked, new[] { length }, inv);
                                CopyLoop(Emit(Opcode.Slice, IrType.ArrayOf(chunked, ArrayForm.ReadOnlySpan, 1), new[] { All(), start, length }), row, length, Lit.False, inv);
                                return new Scalar(row);
                            });
                    }

                case "Reverse":
                    {
                        var source = AsSequence(args[0].Value);
                        if (source is null)
                        {
                            return null;
                        }

                        var whole = Materialized(source, args[0].Value, inv);
                        if (whole is null)
                        {
                            NotYet(inv, "Reverse after Where, Skip or Take of this type", "reverse first");
                            return null;
                        }

                        source = whole;

                        Operand? length = null;
                        var reversed = new SequenceValue(() => length = source.Length(), i =>
                        {
                            var last = Emit(Opcode.ISub, IrType.Int32, new[] { length ?? source.Length(), Lit.Int(1) });
                            return source.Element(Emit(Opcode.ISub, IrType.Int32, new[] { last, i }));
                        });
                        reversed.Stages.AddRange(source.Stages);
                        return reversed;
                    }

                case "OrderBy" or "OrderByDescending" or "Order" or "OrderDescending":
                    {
                        // A stable sort of numbers by a key: element i lands at its rank, the number of elements whose
                        // key comes before its own (a smaller key, or an equal one earlier). The ranks depend on the
                        // keys' values only, so they are constants of the derivative: each element's adjoint comes
                        // back from the place it was sorted to.
                        bool keyed = name.StartsWith("OrderBy", StringComparison.Ordinal);
                        if (args.Length != (keyed ? 2 : 1))
                        {
                            NotYet(inv, name + " with a comparer", "sort by a key of numbers with the default order (" + name + (keyed ? "(v => key)" : "()") + ")");
                            return null;
                        }

                        var source = AsSequence(args[0].Value);
                        if (source is null)
                        {
                            return null;
                        }

                        var element = SequenceElement(args[0].Value.Type);
                        var keyType = keyed ? IrTypeOrData(inv.TargetMethod.TypeArguments[1]) : element;
                        if (element is null || keyType is null || !(keyType.IsReal || keyType.IsInt))
                        {
                            NotYet(inv, name + " of anything but numbers by a number", "sort numbers, or sort indexes: Enumerable.Range(0, n).OrderBy(i => key[i])");
                            return null;
                        }

                        var selector = keyed ? AsFunction(args[1].Value) : null;
                        if (keyed && selector is null)
                        {
                            return null;
                        }

                        bool descending = name.EndsWith("Descending", StringComparison.Ordinal);
                        Operand? sorted = null;
                        Operand Sorted() => sorted ??= SortedArray(source, element, keyType, selector, descending, inv);
                        return new SequenceValue(
                            () => Emit(Opcode.Length, IrType.Int32, new[] { Sorted() }),
                            i => new Scalar(Load(Sorted(), new[] { i }, inv)));
                    }

                case "Concat" when args.Length == 2:
                    {
                        // x.Concat(new[] { 1.0 }) (a bias feature), w.Concat(v): element i is the first's below its length,
                        // else the second's at i − length, chosen by an if (each branch reads only its own sequence).
                        var first = AsSequence(args[0].Value);
                        var second = AsSequence(args[1].Value);
                        if (first is null || second is null)
                        {
                            return null;
                        }

                        // A filtered or sliced source (a.Where(p).Concat(b), a.Skip(1).Concat(b)) is put in an array
                        // first, as ToArray() makes it (counted, then stored); the concatenation reads that array.
                        first = Materialized(first, args[0].Value, inv);
                        second = Materialized(second, args[1].Value, inv);
                        if (first is null || second is null)
                        {
                            NotYet(inv, "Concat of filtered or sliced sequences of this type", "concatenate the sources first and filter or slice the result, or fill a new array with one loop per source");
                            return null;
                        }

                        Operand? firstLength = null;
                        return new SequenceValue(
                            () =>
                            {
                                firstLength = first.Length();
                                return Emit(Opcode.IAdd, IrType.Int32, new[] { firstLength, second.Length() });
                            },
                            i =>
                            {
                                var length = firstLength ?? first.Length();
                                var key = new SyntheticKey("concat");
                                var inFirst = Emit(Opcode.Cmp, IrType.Bool, new[] { i, length }, CmpKind.Lt);
                                EmitIf(
                                    inFirst,
                                    () => ApplyStages(first, i, i, e =>
                                    {
                                        Bind(key, e);
                                        return Flow.Normal;
                                    }, inv),
                                    () =>
                                    {
                                        var j = Emit(Opcode.ISub, IrType.Int32, new[] { i, length });
                                        return ApplyStages(second, j, j, e =>
                                        {
                                            Bind(key, e);
                                            return Flow.Normal;
                                        }, inv);
                                    });
                                var element = _env.Get(key);
                                _env.Remove(key);
                                return element ?? new Scalar(Poison.Of(IrTypeOrData(((INamedTypeSymbol)inv.Type!).TypeArguments[0])));
                            });
                    }

                case "Index":
                    {
                        // foreach (var (i, v) in w.Index()) (.NET 9): each element with its position, (Index, Item).
                        var source = AsSequence(args[0].Value);
                        if (source is null)
                        {
                            return null;
                        }

                        var numbered = Materialized(source, args[0].Value, inv);
                        if (numbered is null)
                        {
                            NotYet(inv, "Index after Where, Skip or Take of this type", "call Index first, or count the position in the loop");
                            return null;
                        }

                        source = numbered;

                        return new SequenceValue(source.Length, i =>
                        {
                            FValue item = new Scalar(Lit.False);
                            ApplyStages(source, i, i, e =>
                            {
                                item = e;
                                return Flow.Normal;
                            }, inv);
                            return new TupleValue(new[] { new Scalar(i), item });
                        });
                    }

                case "Zip":
                    {
                        var a = AsSequence(args[0].Value);
                        var b = AsSequence(args[1].Value);

                        // Zip(first, second, third) (.NET 6) zips three sequences into (First, Second, Third); the other
                        // three-argument Zip takes a result selector.
                        bool three = args.Length > 2 && inv.TargetMethod.Parameters[2].Type is INamedTypeSymbol { Name: "IEnumerable" };
                        var c = three ? AsSequence(args[2].Value) : null;
                        var fn = args.Length > 2 && !three ? AsFunction(args[2].Value) : null;
                        if (a is null || b is null || (three && c is null) || (args.Length > 2 && !three && fn is null))
                        {
                            return null;
                        }

                        // .NET moves the first source before it learns the second has ended: a lambda of the first (or
                        // second) source that changes something runs once more than the pairs (red-team, stop 33).
                        if (new[] { a, b, c }.FirstOrDefault(q => q is not null && ChangesOuterState(q, null) is not null) is { } changing)
                        {
                            RefuseEffectfulQuery(inv, "Zip", ChangesOuterState(changing, null)!);
                            return null;
                        }

                        // A filtered or sliced source (w.Zip(w.Skip(1), f): neighbouring pairs) is put in an array first.
                        var sa = Materialized(a, args[0].Value, inv);
                        var sb = Materialized(b, args[1].Value, inv);
                        var sc = c is null ? null : Materialized(c, args[2].Value, inv);
                        if (sa is null || sb is null || (c is not null && sc is null))
                        {
                            NotYet(inv, "Zip of filtered or sliced sequences of this type", "Zip the sources first, then filter; for neighbouring pairs index instead: Enumerable.Range(0, w.Length - 1).Sum(i => w[i] * w[i + 1])");
                            return null;
                        }

                        (a, b, c) = (sa, sb, sc);

                        if (c is not null)
                        {
                            return new SequenceValue(
                                () => Emit(Opcode.Opaque, IrType.Int32, new[] { a.Length(), b.Length(), c.Length() }, new OpaqueInfo(new[] { "global::System.Math.Min(global::System.Math.Min(", ", ", "), ", ")" }, pure: true, effectFree: true)),
                                i =>
                                {
                                    var items = new FValue[3];
                                    int k = 0;
                                    foreach (var source in new[] { a, b, c })
                                    {
                                        int slot = k++;
                                        items[slot] = new Scalar(Lit.False);
                                        ApplyStages(source, i, i, e =>
                                        {
                                            items[slot] = e;
                                            return Flow.Normal;
                                        }, inv);
                                    }

                                    return new TupleValue(items);
                                });
                        }

                        return new SequenceValue(
                            () => Emit(Opcode.Opaque, IrType.Int32, new[] { a.Length(), b.Length() }, new OpaqueInfo(new[] { "global::System.Math.Min(", ", ", ")" }, pure: true, effectFree: true)),
                            i =>
                            {
                                FValue ea = new Scalar(Lit.False);
                                FValue eb = new Scalar(Lit.False);
                                ApplyStages(a, i, i, e =>
                                {
                                    ea = e;
                                    return Flow.Normal;
                                }, inv);
                                ApplyStages(b, i, i, e =>
                                {
                                    eb = e;
                                    return Flow.Normal;
                                }, inv);
                                return fn is null ? new TupleValue(new[] { ea, eb }) : InvokeFunction(fn, new[] { ea, eb }, inv);
                            });
                    }
            }
        }

        var value = LowerExpr(op);
        switch (value)
        {
            case SequenceValue s:
                return s;
            case ListValue list:
                return ListSequence(list, op);
            case TupleArrayValue tuples:
                return new SequenceValue(() => Emit(Opcode.Length, IrType.Int32, new[] { FirstComponent(tuples.Components) }), i => TupleAt(tuples.Components, i, op));
            case Scalar { Operand: Poison unfollowed } when _unfollowedSequences.TryGetValue(unfollowed, out var name):
                NotYet(op, "A query or list that a branch gives '" + name + "' beside another kind of sequence on the other path, read after the branch",
                    "make it an array in each branch (q = x.Select(f).ToArray()), or consume the query inside the branch");
                return null;
            case Scalar { Operand: Poison }:
                return null;
            case Scalar { Operand: { Type.IsVector: true } array }:
                return new SequenceValue(() => Emit(Opcode.Length, IrType.Int32, new[] { array }), i => new Scalar(Load(array, new[] { i }, op)));
            case Scalar { Operand: { Type.IsArray: true, Type.Rank: 2, Type.Form: ArrayForm.Array } matrix }:
                {
                    // foreach over a double[,] visits its elements row by row: element i is [i / columns, i % columns].
                    Operand? columns = null;
                    Operand Columns() => columns ??= Emit(Opcode.GetLength, IrType.Int32, new[] { matrix, Lit.Int(1) });
                    return new SequenceValue(
                        () =>
                        {
                            Columns();
                            return Emit(Opcode.Length, IrType.Int32, new[] { matrix });
                        },
                        i => new Scalar(Load(matrix, new[] { Emit(Opcode.IDiv, IrType.Int32, new[] { i, Columns() }), Emit(Opcode.IRem, IrType.Int32, new[] { i, Columns() }) }, op)));
                }
            case Scalar { Operand: { Type.Kind: ValueKind.Data } data } when op.Type is { } t && ListElement(t) is { } element && IrTypeOrData(element) is var elementType:
                return new SequenceValue(
                    () => Emit(Opcode.Opaque, IrType.Int32, new[] { data }, new OpaqueInfo(new[] { string.Empty, ".Count" }, pure: false, effectFree: true)),
                    i => new Scalar(Emit(Opcode.Opaque, elementType, new[] { data, i }, new OpaqueInfo(new[] { string.Empty, "[", "]" }, pure: false, effectFree: true))));
        }

        var called = op;
        while (called is IConversionOperation { IsImplicit: true } conversion)
        {
            called = conversion.Operand;
        }

        if (value is Scalar { Operand: { Type.Kind: ValueKind.Data } enumerable } && enumerable is not Poison && op.Type is { } sequenceType
            && EnumerableElement(sequenceType) is { } item && IrTypeOf(Concrete(item)) is { Kind: ValueKind.Real or ValueKind.Int } itemType
            && called is IParameterReferenceOperation { Parameter.ContainingSymbol: var owner } && SymbolEqualityComparer.Default.Equals(owner.OriginalDefinition, _entry.OriginalDefinition))
        {
            // A [NoDerivative] IEnumerable<double> (or ICollection, a HashSet...) parameter: data, enumerated once into an
            // array, as the method's foreach or LINQ enumerates it (SG0006 before; red-team, stop 33).
            var array = Emit(Opcode.Opaque, IrType.ArrayOf(itemType, ArrayForm.Array, 1), new[] { enumerable },
                new OpaqueInfo(new[] { "global::System.Linq.Enumerable.ToArray(", ")" }, pure: false, effectFree: true), SourceText(op.Syntax));
            return new SequenceValue(() => Emit(Opcode.Length, IrType.Int32, new[] { array }), i => new Scalar(Load(array, new[] { i }, op)));
        }

        if (value is Scalar { Operand: { Type.Kind: ValueKind.Data } data2 } && data2 is not Poison && op.Type is { } dataSequenceType
            && EnumerableElement(dataSequenceType) is { IsAnonymousType: false, TypeKind: not TypeKind.TypeParameter and not TypeKind.Error } dataItem
            && RootParameter(called) is { ContainingSymbol: var dataOwner } && SymbolEqualityComparer.Default.Equals(dataOwner.OriginalDefinition, _entry.OriginalDefinition))
        {
            // The same for elements that are data themselves (IEnumerable<double[]>, IEnumerable<double?>): an array of
            // them, read as a list of data is (red-team G, stop 33 leftover).
            var elementType = IrTypeOrData(dataItem);
            var items = Emit(Opcode.Opaque, IrType.Data(Concrete(dataItem).ToDisplayString(TypeMap.Qualified) + "[]"), new[] { data2 },
                new OpaqueInfo(new[] { "global::System.Linq.Enumerable.ToArray(", ")" }, pure: false, effectFree: true), SourceText(op.Syntax));
            return new SequenceValue(
                () => Emit(Opcode.Opaque, IrType.Int32, new[] { items }, new OpaqueInfo(new[] { string.Empty, ".Length" }, pure: false, effectFree: true)),
                i => new Scalar(Emit(Opcode.Opaque, elementType, new[] { items, i }, new OpaqueInfo(new[] { string.Empty, "[", "]" }, pure: false, effectFree: true))));
        }

        if (called is IInvocationOperation { TargetMethod: var iterator } && IsIterator(iterator))
        {
            NotYet(op, "Enumerating the sequence of an iterator method ('" + iterator.Name + "', which uses yield return)",
                "write its values into an array and return that (var t = new double[n]; ... t[k] = v; ... return t;), or write the loop here (arrays, spans, lists and Enumerable.Range are enumerated)");
            return null;
        }

        NotYet(op, "Enumerating this sequence", "use arrays, spans, Enumerable.Range, lists, or Select/Where/Zip/Skip/Take over them");
        return null;
    }

    /// <summary>
    /// The parameter of the method a data expression reads from: the parameter itself, or an element or member of it
    /// (rows[n], data.Rows), through conversions; null for anything else.
    /// </summary>
    private static IParameterSymbol? RootParameter(IOperation? op)
    {
        for (int depth = 0; op is not null && depth < 16; depth++)
        {
            switch (op)
            {
                case IParameterReferenceOperation p:
                    return p.Parameter;
                case IConversionOperation c:
                    op = c.Operand;
                    break;
                case IArrayElementReferenceOperation e:
                    op = e.ArrayReference;
                    break;
                case IPropertyReferenceOperation { Instance: { } instance, Property.IsStatic: false }:
                    op = instance;
                    break;
                case IFieldReferenceOperation { Instance: { } instance, Field.IsStatic: false }:
                    op = instance;
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    /// <summary>The sequence a SelectMany lambda gave: a query, a list, an array or a span of it; null (reported) otherwise.</summary>
    private SequenceValue? FlattenedSequence(FValue value, IOperation at)
    {
        switch (value)
        {
            case SequenceValue s:
                return s;
            case ListValue list:
                return ListSequence(list, at);
            case Scalar { Operand: { Type.IsVector: true } array } when array is not Poison:
                return new SequenceValue(() => Emit(Opcode.Length, IrType.Int32, new[] { array }), i => new Scalar(Load(array, new[] { i }, at)));
            case Scalar { Operand: Poison }:
                return null;
            default:
                NotYet(at, "SelectMany whose lambda gives this kind of sequence", "give an array, a span, a list or a query of numbers (SelectMany(r => r)), or write the nested loops");
                return null;
        }
    }

    /// <summary>A method or local function whose body yields (an iterator).</summary>
    private static bool IsIterator(IMethodSymbol method) =>
        method.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is var body
            && body.DescendantNodes(n => n == body || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<YieldStatementSyntax>().Any());

    /// <summary>For IEnumerable&lt;T&gt; or a type that implements it: T.</summary>
    private static ITypeSymbol? EnumerableElement(ITypeSymbol t)
    {
        foreach (var candidate in new[] { t }.Concat(t.AllInterfaces))
        {
            if (candidate is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } n
                && n.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IEnumerable<T>")
            {
                return n.TypeArguments[0];
            }
        }

        return null;
    }

    /// <summary>For IReadOnlyList&lt;T&gt;, IList&lt;T&gt;, List&lt;T&gt;: T.</summary>
    private static ITypeSymbol? ListElement(ITypeSymbol t)
    {
        foreach (var candidate in new[] { t }.Concat(t.AllInterfaces))
        {
            if (candidate is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } n
                && n.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.List<T>")
            {
                return n.TypeArguments[0];
            }
        }

        return null;
    }

    /// <summary>Applies a sequence's maps and filters to the element at <paramref name="index"/>, then runs <paramref name="body"/> (inside the filters' ifs).</summary>
    private Flow ApplyStages(SequenceValue sequence, Operand index, Operand position, Func<FValue, Flow> body, IOperation at)
    {
        var element = sequence.Element(index);
        return ApplyFrom(sequence, 0, element, position, body, at);
    }

    private Flow ApplyFrom(SequenceValue sequence, int stage, FValue element, Operand position, Func<FValue, Flow> body, IOperation at)
    {
        for (int s = stage; s < sequence.Stages.Count; s++)
        {
            var st = sequence.Stages[s];
            var args = st.WithIndex ? new[] { element, new Scalar(position) } : new[] { element };
            if (st.IsFlatten)
            {
                // SelectMany: a loop over the sequence the lambda gave, each of its elements through the stages after it,
                // lowered while the lambda's variables are bound (the inner query's lambdas may read them). Nothing after
                // it asks for a position (HasFilter: positions are counted over an array of the elements), and no user
                // statement runs in it (a foreach over SelectMany goes over that array).
                int after = s + 1;
                InvokeFunction(st.Function, args, at, result =>
                {
                    if (FlattenedSequence(result, at) is { } inner)
                    {
                        var outer = element;
                        ForEachElement(inner, SourceText(at.Syntax), false, false, null, null, at, e =>
                            ApplyFrom(sequence, after, st.ResultSelector is { } selector ? InvokeFunction(selector, new[] { outer, e }, at) : e, position, body, at));
                    }

                    return result;
                });
                return Flow.Normal;
            }

            var result = InvokeFunction(st.Function, args, at);

            if (!st.IsFilter)
            {
                element = result;
                continue;
            }

            var cond = result is Scalar { Operand: { Type.IsBool: true } c } ? c : Lit.False;
            var e = element;
            int next = s + 1;
            var (a, _) = EmitIf(cond, () => ApplyFrom(sequence, next, e, position, body, at), () => Flow.Normal);
            return a;
        }

        return body(element);
    }
}
