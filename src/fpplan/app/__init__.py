"""What people see: plotly figures, the dashboards' panels, the workbook, the reports and the Voila server.
Nothing here computes what an engine should; it reads results and presents them."""
