import re,subprocess,collections,glob,os
runs=[]; cur=None
for l in open('pj.txt'):
    if l.startswith('=='): cur={'v':l.split()[1],'begins':[]}; runs.append(cur)
    elif 'begins' in l: cur['begins'].append(l.split()[-1][11:23])
    elif l.startswith('passes'): cur['passes']=[int(x) for x in l.split()[1:]]
files=sorted(glob.glob('pj-*.jfr'),key=os.path.getmtime)
for run,f in zip(runs,files):
    b=run['begins']; p=run['passes']
    fast=next((i for i,x in enumerate(p) if x>1.8e6),None)
    print('=====',run['v'],f,'passes',[round(x/1e6,2) for x in p],'fast from pass',fast+1 if fast is not None else None)
    txt=subprocess.run(['jfr','print','--events','jdk.Compilation,jdk.Deoptimization','--stack-depth','1',f],capture_output=True,text=True).stdout
    for e in re.split(r'\n(?=jdk\.)',txt):
        t=re.search(r'startTime = (\d\d:\d\d:\d\d\.\d+)',e)
        if not t: continue
        tt=t.group(1)[:12]
        ps=sum(1 for x in b if x<=tt)  # pass index (1-based) in which it happened
        if ps<3: continue
        if e.startswith('jdk.Compilation'):
            m=re.search(r'method = (.*)',e).group(1).strip(); lv=re.search(r'compileLevel = (\d)',e).group(1); d=re.search(r'duration = (.*)',e).group(1).strip()
            osr=re.search(r'isOsr = (\w+)',e).group(1)
            if lv=='4' and ('ipcworkers' in m or 'Benchmarks' in m): print(f"  pass{ps} {tt} C2 {'OSR ' if osr=='true' else ''}{d} {m[:110]}")
        else:
            m=re.search(r'method = (.*)',e).group(1).strip(); r=re.search(r'reason = (.*)',e).group(1).strip(); a=re.search(r'action = (.*)',e).group(1).strip(); li=re.search(r'lineNumber = (\d+)',e)
            print(f"  pass{ps} {tt} DEOPT {r} {a} {m[:90]} line {li.group(1) if li else ''}")
