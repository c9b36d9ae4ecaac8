import statistics as st, collections
d=collections.defaultdict(list)
rounds=collections.defaultdict(dict)
for l in open('/tmp/exp/bp/lab.txt'):
    p=l.split()
    if len(p)<3 or p[0]=='finished': continue
    r,v,kind=p[0],p[1],p[2]
    if kind=='bus': vals=[int(x) for x in p[4:6]] ; key='bus pass1,pass2'
    else: vals=[int(x) for x in p[3:6]]; key=kind+' pipelined p1,p2,p3'
    d[(key,v)].append(vals); rounds[(key,r)][v]=vals
for key in sorted(set(k for k,_ in d)):
    for v in ('old','new'):
        rows=d[(key,v)]
        print(key,v,'medians',[int(st.median(c)) for c in zip(*rows)],'n',len(rows))
    n=len(rows[0])
    hi=[sum(1 for r,x in rounds.items() if r[0]==key and 'old' in x and 'new' in x and x['new'][i]>x['old'][i]) for i in range(n)]
    print('   new higher in', hi, 'of', sum(1 for r in rounds if r[0]==key))
