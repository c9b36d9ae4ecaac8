import statistics as st, collections, sys
f=sys.argv[1] if len(sys.argv)>1 else '/tmp/exp/bp/dab.txt'
rounds=collections.defaultdict(dict)
for l in open(f):
    p=l.split()
    if len(p)<3: continue
    rounds[p[0]][p[1]]=[int(x) for x in p[2:] if x.isdigit()]  # "round version [passes|1w] figures..."
vs=sorted({v for r in rounds.values() for v in r})
for v in vs:
    rows=[r[v] for r in rounds.values() if v in r]
    print(v,'n',len(rows),'medians',[int(st.median(c)) for c in zip(*rows)],'ranges',[(min(c),max(c)) for c in zip(*rows)])
a,b=vs
n=len(next(iter(rounds.values()))[a])
print(b,'higher than',a,'in',[sum(1 for r in rounds.values() if a in r and b in r and r[b][i]>r[a][i]) for i in range(n)],'of',len(rounds))
