import re,collections,subprocess
windows={'w1':('21:47:45.328','21:47:46.082'),'w2':('21:47:50.911','21:47:51.687'),'w3':('21:47:56.256','21:47:57.166')}
leaf=collections.Counter()
for w,(a,b) in windows.items():
    txt=subprocess.run(['jfr','print','--events','jdk.ExecutionSample','--stack-depth','3',w+'.jfr'],capture_output=True,text=True).stdout
    for e in re.split(r'\n(?=jdk\.)',txt):
        t=re.search(r'startTime = (\d\d:\d\d:\d\d\.\d+)',e)
        if not t or not (a<=t.group(1)[:12]<b): continue
        st=re.search(r'stackTrace = \[(.*?)\n\s*\]',e,re.S)
        fr=[l.strip() for l in st.group(1).strip().split('\n')] if st else []
        leaf[' <- '.join(f[:90] for f in fr[:2])]+=1
for k,v in leaf.most_common(15): print(v,k)
